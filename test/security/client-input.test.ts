/**
 * Issue 6 §1, the other two doors: the client's argument checks (a bad argument is an
 * INVALID_ARGUMENT before any request, and the value is never echoed) and
 * resolveSessionInput (hostile input and hostile session data neither crash it, pollute a
 * prototype, nor smuggle a value the session does not hold).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createClient, isSessionError } from "../../src/index.js";
import { resolveSessionInput } from "../../src/server/index.js";
import { memoryStorage } from "../../src/storage/index.js";
import { prototypesIntact } from "./fixtures.js";

const SCOPE = { product: "my-product-tag", env: "snd", tag: "session-tag" };
const DATA = { userId: "1919102009383", details: { email: "fikayo@ductape.app" } };
/** Looks like a secret: it must never appear in an error message. */
const CANARY = "tsk_CANARY_0123456789abcdefghijklmnopqrstuv";

function client() {
  const requests: string[] = [];
  const tessera = createClient({
    baseUrl: "https://auth.test",
    accessKey: "tpk_live_0123456789abcdef0123456789",
    storage: memoryStorage(),
    fetch: async (request) => {
      requests.push(request.url);
      return Response.json({ error: { code: "NOT_FOUND", message: "the test expected no request" } }, { status: 404 });
    },
  });
  return { tessera, requests };
}

class Account {
  id = "x";
}
const cyclic = (): Record<string, unknown> => {
  const value: Record<string, unknown> = { userId: "u" };
  value.self = value;
  return value;
};
const deep = (depth: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < depth; i++) value = { next: value };
  return value;
};

/** Names that break the name rule (letters, digits, `.`, `_`, `-`; 1-64; no ":"). */
const badName = fc.oneof(
  fc.constantFrom<unknown>(undefined, null, "", " ", "a:b", `${CANARY}:x`, "a b", "a/b", "é", "\ud800", "-lead", "a".repeat(65), 7, true, {}, [], () => "x", Symbol("s"), 10n),
  fc.string({ minLength: 1, maxLength: 80 }).filter((s) => !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(s)),
);
/** `data` that cannot travel as JSON unchanged. */
const badData = fc.constantFrom<unknown>(
  undefined, null, "string", 42, [DATA], new Date(), new Map([["a", 1]]), new Account(), Object.create({ inherited: 1 }),
  { ...DATA, when: new Date() }, { ...DATA, n: Number.NaN }, { ...DATA, n: Infinity }, { ...DATA, big: 1n }, { ...DATA, f: () => CANARY },
  { ...DATA, u: undefined }, { ...DATA, s: Symbol("x") }, { ...DATA, nested: [1, { bad: new Set() }] }, cyclic(), deep(20_000),
);
/** Strings the client refuses as tokens, ids or identifiers. */
const badString = fc.constantFrom<unknown>(null, "", "   ", 12, {}, [], true, () => CANARY);

async function expectInvalid(call: () => Promise<unknown>, requests: string[]): Promise<void> {
  let caught: unknown;
  try {
    await call();
  } catch (error) {
    caught = error;
  }
  expect(isSessionError(caught), String(caught)).toBe(true);
  expect(caught).toMatchObject({ code: "INVALID_ARGUMENT" });
  expect(typeof (caught as { field?: unknown }).field).toBe("string");
  expect((caught as Error).message).not.toContain(CANARY);
  expect(requests).toEqual([]);
  expect(prototypesIntact()).toBe(true);
}

describe("client argument checks: INVALID_ARGUMENT and zero requests", () => {
  it("start with a broken scope, data or argument object", async () => {
    const broken = fc.oneof(
      fc.record({ field: fc.constantFrom("product", "env", "tag"), value: badName }).map(({ field, value }) => ({ ...SCOPE, data: DATA, [field]: value })),
      badData.map((data) => ({ ...SCOPE, data })),
      fc.constantFrom<unknown>(undefined, null, "session-tag", 7, [SCOPE], new Map()),
    );
    await fc.assert(
      fc.asyncProperty(broken, async (args) => {
        const { tessera, requests } = client();
        await expectInvalid(() => tessera.sessions.start(args as never), requests);
        tessera.close();
      }),
      { numRuns: 300 },
    );
  });

  it("refresh, verify, revoke, revokeAll and listActive with a broken argument", async () => {
    const cases: fc.Arbitrary<[string, unknown]> = fc.oneof(
      badName.map((tag) => ["refresh", { ...SCOPE, tag }] as [string, unknown]),
      badString.map((refreshToken) => ["refresh", { ...SCOPE, refreshToken }] as [string, unknown]),
      badString.map((token) => ["verify", { ...SCOPE, token }] as [string, unknown]),
      badName.map((env) => ["verify", { ...SCOPE, env, token: "session-tag:x" }] as [string, unknown]),
      fc.constantFrom("sessionId", "identifier", "refreshToken").chain((f) => badString.map((v) => ["revoke", { ...SCOPE, [f]: v }] as [string, unknown])),
      fc.constantFrom<[string, unknown]>(
        ["revoke", { ...SCOPE }],
        ["revoke", { ...SCOPE, sessionId: "a", identifier: "b" }],
        ["revoke", { ...SCOPE, sessionId: "a", refreshToken: CANARY }],
      ),
      badString.map((identifier) => ["revokeAll", { ...SCOPE, identifier }] as [string, unknown]),
      badString.map((excludeSessionId) => ["revokeAll", { ...SCOPE, identifier: "u", excludeSessionId }] as [string, unknown]),
      fc.constantFrom<unknown>(0, -1, 1.5, "2", Number.NaN, 2 ** 60).chain((v) => fc.constantFrom("page", "limit").map((f) => ["listActive", { ...SCOPE, [f]: v }] as [string, unknown])),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ([method, args]) => {
        const { tessera, requests } = client();
        const sessions = tessera.sessions as unknown as Record<string, (a: unknown) => Promise<unknown>>;
        await expectInvalid(() => sessions[method]!(args), requests);
        tessera.close();
      }),
      { numRuns: 300 },
    );
  });

  it("a valid call right after does reach the endpoint (the checks are not just refusing everything)", async () => {
    const { tessera, requests } = client();
    await expect(tessera.sessions.start({ ...SCOPE, data: DATA })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(requests).toEqual(["https://auth.test/v1/sessions/start"]);
    // Own __proto__ keys are JSON and travel as such; the server's schema is what refuses them.
    await expect(tessera.sessions.start({ ...SCOPE, data: JSON.parse('{"__proto__":{"polluted":1}}') })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(requests).toHaveLength(2);
    expect(prototypesIntact()).toBe(true);
  });

  it("createClient refuses hostile options at creation", () => {
    const options = fc.oneof(
      fc.constantFrom<unknown>(undefined, null, "https://auth.test", [], new Map()),
      fc.constantFrom<unknown>("javascript:alert(1)", "ftp://x", "https://u:p@auth.test", "https://auth.test/?q=1", "https://auth.test/#x", "/relative", "", 7).map((baseUrl) => ({ baseUrl })),
      fc.constantFrom<Record<string, unknown>>(
        { accessKey: "" }, { accessKey: "tpk_ x" }, { accessKey: 5 }, { timeout: 0 }, { timeout: -1 }, { timeout: 2 ** 40 }, { retries: 11 }, { retries: 1.5 },
        { storage: {} }, { storage: { get() {} } }, { fetch: "fetch" }, { baseURL: "https://x" }, { product: "a:b" }, { env: "" }, { now: 5 },
        JSON.parse('{"__proto__":{"polluted":1}}'), { constructor: {} },
      ).map((o) => ({ baseUrl: "https://auth.test", ...o })),
    );
    fc.assert(
      fc.property(options, (o) => {
        let caught: unknown;
        try {
          createClient(o as never).close();
        } catch (error) {
          caught = error;
        }
        expect(caught).toMatchObject({ code: "INVALID_ARGUMENT" });
        expect(prototypesIntact()).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

describe("resolveSessionInput with hostile input", () => {
  const session = { userId: "1919102009383", secret: "only-if-asked", details: { email: "fikayo@ductape.app" } };

  it("is the identity on input without placeholders, and never mutates it", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }).filter((v) => !JSON.stringify(v).includes("$Session{")), (input) => {
        const copy = JSON.stringify(input);
        expect(JSON.stringify(resolveSessionInput(input, session))).toBe(copy);
        expect(JSON.stringify(input)).toBe(copy);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps own __proto__ keys as data: no prototype set on the result, nothing polluted", () => {
    const input = JSON.parse('{"__proto__":{"isAdmin":true,"who":"$Session{userId}"},"a":[{"__proto__":{"polluted":"yes"}}],"constructor":{"prototype":{"polluted":"yes"}}}');
    const out = resolveSessionInput(input, session) as Record<string, any>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out.isAdmin).toBeUndefined();
    expect(Object.keys(out)).toEqual(["__proto__", "a", "constructor"]);
    expect(Object.getOwnPropertyDescriptor(out, "__proto__")?.value).toEqual({ isAdmin: true, who: "1919102009383" });
    expect(Object.getPrototypeOf(out.a[0])).toBe(Object.prototype);
    expect(out.a[0].polluted).toBeUndefined();
    // Round-trips as the same JSON it came from, with the placeholder filled.
    expect(JSON.parse(JSON.stringify(out))).toEqual(JSON.parse(JSON.stringify(input).replace("$Session{userId}", "1919102009383")));
    expect(prototypesIntact()).toBe(true);
  });

  it("placeholders cannot reach inherited properties", () => {
    for (const path of ["$Session{__proto__}", "$Session{constructor}", "$Session{toString}", "$Session{details}{__proto__}", "$Session{details}{constructor}{prototype}", "$Session{hasOwnProperty}"]) {
      let caught: unknown;
      try {
        resolveSessionInput({ v: path }, session);
      } catch (error) {
        caught = error;
      }
      expect(caught, path).toMatchObject({ code: "INVALID_ARGUMENT", field: "input.v" });
    }
  });

  it("session values are inserted once, never expanded again (no placeholder injection)", () => {
    const hostile = { userId: "$Session{secret}", secret: "only-if-asked", name: "x $Session{secret} y" };
    expect(resolveSessionInput({ a: "$Session{userId}", b: "hi $Session{name}!" }, hostile)).toEqual({ a: "$Session{secret}", b: "hi x $Session{secret} y!" });
  });

  it("deep or cyclic input is an INVALID_ARGUMENT, not a stack overflow", () => {
    const cycle: Record<string, unknown> = { a: "$Session{userId}" };
    cycle.self = cycle;
    let nested: unknown = "$Session{userId}";
    for (let i = 0; i < 20_000; i++) nested = i % 2 ? { n: nested } : [nested];
    for (const input of [cycle, nested]) {
      let caught: unknown;
      try {
        resolveSessionInput(input, session);
      } catch (error) {
        caught = error;
      }
      expect(isSessionError(caught), String(caught)).toBe(true);
      expect(caught).toMatchObject({ code: "INVALID_ARGUMENT" });
    }
    // 64 levels still resolve.
    let ok: unknown = "$Session{userId}";
    for (let i = 0; i < 60; i++) ok = { n: ok };
    expect(JSON.stringify(resolveSessionInput(ok, session))).toContain("1919102009383");
  });

  it("random strings with placeholder fragments resolve or fail with INVALID_ARGUMENT, quickly", () => {
    const fragment = fc.constantFrom("$Session{", "}", "{", "$", "userId", "details", "email", "}{", "$Session", "\ud800", "x", "__proto__");
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 30 }).map((parts) => parts.join("")), (text) => {
        try {
          const out = resolveSessionInput({ text }, session);
          expect(typeof out.text === "string" || typeof out.text === "object").toBe(true);
        } catch (error) {
          expect(error).toMatchObject({ code: "INVALID_ARGUMENT" });
        }
      }),
      { numRuns: 500 },
    );
    const started = performance.now();
    for (const text of ["$Session{" + "a".repeat(200_000), "$Session{a}".repeat(20_000) + "{", "$Session".repeat(30_000) + "{x"]) {
      try {
        resolveSessionInput(text, { a: "v" });
      } catch (error) {
        expect(error).toMatchObject({ code: "INVALID_ARGUMENT" });
      }
    }
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
