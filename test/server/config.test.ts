import { describe, expect, it } from "vitest";
import { createSessionServer, generateAccessKey, generateSecret, memoryStore, type SessionServerOptions } from "../../src/server/index.js";
import { isSessionError } from "../../src/shared/errors.js";
import { harness, PRODUCTS, SECRET_KEY, testKeys } from "./helpers.js";

async function base(): Promise<SessionServerOptions> {
  return { issuer: "http://x", keys: await testKeys(), secret: generateSecret(), store: memoryStore(), products: PRODUCTS, accessKeys: { secret: [SECRET_KEY] } };
}

function configErrorOf(options: SessionServerOptions): { message: string; field?: string } {
  try {
    createSessionServer(options);
  } catch (error) {
    if (!isSessionError(error) || error.code !== "INVALID_CONFIG") throw error;
    return { message: error.message, ...(error.field ? { field: error.field } : {}) };
  }
  throw new Error("expected a config error");
}

const session = (over: object) => ({ tag: "s", schema: { userId: "string", details: { email: "string", nick: "string?" } }, selector: "$Session{userId}", expiry: 15, period: "mins", ...over });
const product = (...sessions: object[]) => [{ tag: "shop", envs: ["dev"], sessions }] as SessionServerOptions["products"];

describe("configuration checks at creation", () => {
  it("names product, tag and field for session config errors", async () => {
    const o = await base();
    const cases: Array<[object[], RegExp, string]> = [
      [[session({ selector: "$Session{missing}" })], /product "shop", session "s": selector .*not a field/, "products[0].sessions[0].selector"],
      [[session({ selector: "$Session{details}" })], /is an object/, "products[0].sessions[0].selector"],
      [[session({ selector: "$Session{details}{nick}" })], /optional/, "products[0].sessions[0].selector"],
      [[session({ selector: "userId" })], /not of the form/, "products[0].sessions[0].selector"],
      [[session({ period: "fortnights" })], /period "fortnights" is not one of secs, mins/, "products[0].sessions[0].period"],
      [[session({ expiry: 0 })], /expiry must be a positive integer/, "products[0].sessions[0].expiry"],
      [[session({ refresh: { expiry: 1, period: "decades" } })], /refresh.period/, "products[0].sessions[0].refresh.period"],
      [[session({ schema: { userId: "strin" } })], /unknown type "strin"/, "products[0].sessions[0].schema.userId"],
      [[session({}), session({})], /session tag "s" is defined twice/, "products[0].sessions[1].tag"],
      [[session({ tag: "bad:tag" })], /session tag must be/, "products[0].sessions[0].tag"],
    ];
    for (const [sessions, message, field] of cases) {
      const error = configErrorOf({ ...o, products: product(...sessions) });
      expect(error.message, field).toMatch(message);
      expect(error.field).toBe(field);
    }
    const dup = configErrorOf({ ...o, products: [...product(session({})), ...product(session({}))] });
    expect(dup.message).toMatch(/product "shop" is defined twice/);
    expect(configErrorOf({ ...o, products: [{ tag: "shop", envs: [], sessions: [session({})] }] as any }).field).toBe("products[0].envs");
  });

  it("refuses missing or bad keys, secret, access keys and store", async () => {
    const o = await base();
    expect(configErrorOf({ ...o, keys: [] }).field).toBe("keys");
    const [es256] = await testKeys();
    const { d: _d, ...publicOnly } = es256!;
    expect(configErrorOf({ ...o, keys: [publicOnly] }).field).toBe("keys[0].d");
    expect(configErrorOf({ ...o, keys: [{ ...es256!, kid: undefined }] }).field).toBe("keys[0].kid");
    expect(configErrorOf({ ...o, keys: [{ ...es256!, alg: "RS256" }] }).field).toBe("keys[0].alg");
    expect(configErrorOf({ ...o, keys: [es256!, es256!] }).message).toMatch(/used twice/);
    expect(configErrorOf({ ...o, secret: "short" }).field).toBe("secret");
    expect(configErrorOf({ ...o, accessKeys: { secret: [] } }).field).toBe("accessKeys.secret");
    const leaked = configErrorOf({ ...o, accessKeys: { secret: [generateAccessKey("publishable")] } });
    expect(leaked.field).toBe("accessKeys.secret[0]");
    expect(leaked.message).not.toContain("tpk_");
    expect(configErrorOf({ ...o, store: undefined as any }).field).toBe("store");
    expect(configErrorOf({ ...o, issuer: "" }).field).toBe("issuer");
  });

  it("accepts a Standard Schema validator and checks the selector at start", async () => {
    const standard = {
      "~standard": {
        version: 1 as const,
        vendor: "test",
        validate: (value: unknown) => {
          const v = value as { id?: unknown };
          return typeof v?.id === "number" ? { value: { id: v.id, normalised: true } } : { issues: [{ message: "id must be a number", path: [{ key: "id" }] }] };
        },
      },
    };
    const h = await harness({ products: [{ tag: "p", envs: ["e"], sessions: [{ tag: "t", schema: standard, selector: "$Session{id}", expiry: 1, period: "hours" }, { tag: "u", schema: standard, selector: "$Session{nope}", expiry: 1, period: "hours" }] }] });
    const ok = await h.post("/v1/sessions/start", { product: "p", env: "e", tag: "t", data: { id: 7 } });
    expect(ok.status).toBe(201);
    const verified = await h.post("/v1/sessions/verify", { product: "p", env: "e", tag: "t", token: ok.body.token });
    expect(verified.body).toMatchObject({ valid: true, identifier: "7", data: { id: 7, normalised: true } });
    const bad = await h.post("/v1/sessions/start", { product: "p", env: "e", tag: "t", data: { id: "7" } });
    expect(bad.body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "data.id", message: "data.id: id must be a number" });
    const noIdentifier = await h.post("/v1/sessions/start", { product: "p", env: "e", tag: "u", data: { id: 1 } });
    expect(noIdentifier.body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "data.nope" });
  });

  it("uses the calendar for month lifetimes and the default 30-day refresh lifetime", async () => {
    const h = await harness({ products: [{ tag: "p", envs: ["e"], sessions: [{ tag: "t", schema: { id: "string" }, selector: "$Session{id}", expiry: 1, period: "months" }] }] });
    h.clock.now = Date.UTC(2026, 0, 31, 9);
    const { body } = await h.post("/v1/sessions/start", { product: "p", env: "e", tag: "t", data: { id: "x" } });
    expect(body.expiresAt).toBe("2026-02-28T09:00:00.000Z");
    expect(body.refreshExpiresAt).toBe("2026-03-02T09:00:00.000Z");
  });
});
