/**
 * The client against the real sessions endpoint (src/server), twice: in-process through
 * `fetch: server.fetch`, and over a loopback socket through serveNode.
 */
import ky from "ky";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveNode, type NodeServer } from "../../src/node/index.js";
import { createClient, type ClientOptions, type SessionChange } from "../../src/index.js";
import { generateSecret, type SessionServer } from "../../src/server/index.js";
import { encryptedStorage, memoryStorage, secretKey, type SessionStorage } from "../../src/storage/index.js";
import { harness, PUBLISHABLE_KEY, SCOPE as scope, SECRET_KEY, SEED_DATA as SEED } from "../server/helpers.js";
import { rejection } from "../support/rejection.js";

const MIN = 60_000;

let clock: { now: number };
let server: SessionServer;
let loopback: NodeServer;

beforeAll(async () => {
  // The seed product: 15-minute session tokens, 30-day refresh tokens, a public "guest" tag.
  ({ server, clock } = await harness());
  loopback = await serveNode(server.fetch);
});
afterAll(() => loopback?.close());

type Transport = "in-process" | "loopback";

describe.each<Transport>(["in-process", "loopback"])("client against the real endpoint (%s)", (transport) => {
  /** Counts requests per path, and lets a test break the next answer after the server handled it. */
  function setup(options: Partial<ClientOptions> = {}) {
    const requests: string[] = [];
    const dropAfterServer = new Set<string>();
    const base = transport === "in-process" ? "http://tessera.internal" : loopback.url;
    const send = (request: Request) => (transport === "in-process" ? server.fetch(request) : fetch(request));
    const storage: SessionStorage = options.storage ?? memoryStorage();
    const changes: SessionChange[] = [];
    const make = (more: Partial<ClientOptions> = {}) => {
      const client = createClient({
        baseUrl: base,
        accessKey: SECRET_KEY,
        product: scope.product,
        env: scope.env,
        now: () => clock.now,
        ...options,
        storage,
        ...more,
        fetch: async (request: Request) => {
          const path = new URL(request.url).pathname;
          requests.push(path);
          const response = await send(request);
          if (dropAfterServer.delete(path)) throw new TypeError("fetch failed (connection reset)");
          return response;
        },
      });
      client.sessions.onChange((c) => changes.push(c));
      return client;
    };
    return { tessera: make(), make, requests, storage, changes, dropAfterServer, count: (p: string) => requests.filter((r) => r === p).length };
  }

  it("the seed call: start returns session-tag:eyJ..., it is stored, and verifies with its data", async () => {
    const { tessera, storage } = setup();
    const started = await tessera.sessions.start({ ...scope, data: SEED });
    expect(started.token.startsWith("session-tag:eyJ")).toBe(true);
    expect(started.refreshToken.startsWith("session-tag:")).toBe(true);
    expect(Date.parse(started.expiresAt) - clock.now).toBe(15 * MIN);
    expect(JSON.parse((await storage.get("tessera:my-product-tag:snd:session-tag"))!).sessionId).toBe(started.sessionId);
    const verified = await tessera.sessions.verify({ tag: "session-tag" });
    expect(verified).toMatchObject({ valid: true, sessionId: started.sessionId, identifier: "1919102009383", data: SEED });
  });

  it("refreshes inside the margin, once for 100 concurrent get() calls", async () => {
    const { tessera, count } = setup();
    const started = await tessera.sessions.start({ ...scope, data: SEED });
    clock.now += 14 * MIN + 30_000;
    const all = await Promise.all(Array.from({ length: 100 }, () => tessera.sessions.get({ tag: "session-tag" })));
    expect(count("/v1/sessions/refresh")).toBe(1);
    expect(new Set(all.map((s) => s!.token)).size).toBe(1);
    expect(all[0]!.token).not.toBe(started.token);
    expect(all[0]!.sessionId).toBe(started.sessionId);
    expect(await tessera.sessions.verify({ tag: "session-tag" })).toMatchObject({ valid: true });
  });

  it("reuse of a rotated refresh token revokes the session; the client ends it with a reason", async () => {
    const { tessera, changes, storage } = setup();
    const started = await tessera.sessions.start({ ...scope, data: SEED });
    const rotated = await tessera.sessions.refresh({ tag: "session-tag" });
    clock.now += 11_000; // past the 10 s grace window
    const reuse = await rejection(tessera.sessions.refresh({ tag: "session-tag", refreshToken: started.refreshToken }));
    expect(reuse).toMatchObject({ code: "REFRESH_REUSED", status: 401 });
    expect(reuse.message).not.toContain(started.refreshToken);
    clock.now += 15 * MIN - 30_000; // the stored (rotated) session is now inside its margin
    expect(await tessera.sessions.get({ tag: "session-tag" })).toBeNull();
    expect(await storage.get("tessera:my-product-tag:snd:session-tag")).toBeNull();
    const ended = changes.find((c) => c.type === "ended");
    expect(ended && "reason" in ended && ["revoked", "reuse_detected"].includes(ended.reason)).toBe(true);
    expect((await tessera.sessions.verify({ tag: "session-tag", token: rotated.token })).valid).toBe(false);
  });

  it("two tabs sharing storage refresh at the same moment: one valid session, no logout", async () => {
    const { tessera, make, changes, storage } = setup();
    await tessera.sessions.start({ ...scope, data: SEED });
    const otherTab = make();
    clock.now += 14 * MIN + 30_000;
    const [a, b] = await Promise.all([tessera.sessions.get({ tag: "session-tag" }), otherTab.sessions.get({ tag: "session-tag" })]);
    expect(a!.token).toBe(b!.token);
    const stored = JSON.parse((await storage.get("tessera:my-product-tag:snd:session-tag"))!);
    expect(stored.token).toBe(a!.token);
    expect(changes.some((c) => c.type === "ended")).toBe(false);
    expect(await tessera.sessions.verify({ tag: "session-tag" })).toMatchObject({ valid: true });
    clock.now += 15 * MIN - 30_000;
    expect(await otherTab.sessions.get({ tag: "session-tag" })).not.toBeNull(); // the chain continues
  });

  it("a start whose answer was lost is retried with the same Idempotency-Key: one session", async () => {
    const { tessera, dropAfterServer, count } = setup();
    dropAfterServer.add("/v1/sessions/start");
    const userId = `idem-${transport}`;
    const started = await tessera.sessions.start({ ...scope, data: { userId, details: { email: "i@x.y" } } });
    expect(count("/v1/sessions/start")).toBe(2);
    const list = await tessera.sessions.listActive({ tag: "session-tag", identifier: userId });
    expect(list.total).toBe(1);
    expect(list.sessions[0]!.sessionId).toBe(started.sessionId);
  });

  it("a refresh whose answer was lost is retried and lands inside the grace window", async () => {
    const { tessera, dropAfterServer, count } = setup();
    await tessera.sessions.start({ ...scope, data: SEED });
    dropAfterServer.add("/v1/sessions/refresh");
    const next = await tessera.sessions.refresh({ tag: "session-tag" });
    expect(count("/v1/sessions/refresh")).toBe(2);
    expect(await tessera.sessions.verify({ tag: "session-tag", token: next.token })).toMatchObject({ valid: true });
  });

  it("end() revokes on the server: the old token no longer verifies", async () => {
    const { tessera, changes } = setup();
    const started = await tessera.sessions.start({ ...scope, data: SEED });
    expect(await tessera.sessions.end({ tag: "session-tag" })).toEqual({ revoked: 1 });
    expect(await tessera.sessions.get({ tag: "session-tag" })).toBeNull();
    expect(await tessera.sessions.verify({ tag: "session-tag", token: started.token })).toMatchObject({ valid: false, reason: "revoked" });
    expect(changes.at(-1)).toMatchObject({ type: "ended", reason: "ended" });
  });

  it("listActive, revoke and revokeAll by identifier", async () => {
    const { tessera } = setup();
    const userId = `multi-${transport}`;
    const data = { userId, details: { email: "m@x.y" } };
    const one = await tessera.sessions.start({ ...scope, data, persist: false });
    const two = await tessera.sessions.start({ ...scope, data, persist: false });
    const three = await tessera.sessions.start({ ...scope, data, persist: false });
    expect((await tessera.sessions.listActive({ tag: "session-tag", identifier: userId })).total).toBe(3);
    expect(await tessera.sessions.revoke({ tag: "session-tag", sessionId: one.sessionId })).toEqual({ revoked: 1 });
    expect(await tessera.sessions.revokeAll({ tag: "session-tag", identifier: userId, excludeSessionId: three.sessionId })).toEqual({ revoked: 1 });
    const list = await tessera.sessions.listActive({ tag: "session-tag", identifier: userId, limit: 10 });
    const active = list.sessions.filter((s) => s.active).map((s) => s.sessionId);
    expect(active).toEqual([three.sessionId]);
    expect(two.sessionId).not.toBe(three.sessionId);
  });

  it("a publishable key cannot start a session for an identity, but can for a public tag, and refresh and end it", async () => {
    const { tessera } = setup({ accessKey: PUBLISHABLE_KEY });
    const refused = await rejection(tessera.sessions.start({ ...scope, data: SEED }));
    expect(refused).toMatchObject({ code: "FORBIDDEN", status: 403 });
    expect(refused.message).not.toContain(PUBLISHABLE_KEY);
    await tessera.sessions.start({ ...scope, tag: "guest", data: { guestId: "g1" } });
    const refreshed = await tessera.sessions.refresh({ tag: "guest" });
    expect(await tessera.sessions.verify({ tag: "guest" })).toMatchObject({ valid: true, sessionId: refreshed.sessionId });
    expect(await tessera.sessions.end({ tag: "guest" })).toEqual({ revoked: 1 });
  });

  it("a backend starts the session (secret key), the browser's client adopts it (publishable key)", async () => {
    const { tessera: backend } = setup();
    const { tessera: browser, count } = setup({ accessKey: PUBLISHABLE_KEY });
    const tokens = await backend.sessions.start({ ...scope, data: SEED, persist: false });
    await browser.sessions.adopt({ tag: "session-tag", ...tokens });
    clock.now += 14 * MIN + 30_000;
    const refreshed = await browser.sessions.get({ tag: "session-tag" });
    expect(count("/v1/sessions/refresh")).toBe(1);
    expect(refreshed!.sessionId).toBe(tokens.sessionId);
    expect(await browser.sessions.verify({ tag: "session-tag" })).toMatchObject({ valid: true, identifier: SEED.userId });
  });

  it("maps the server's errors: unknown tag, invalid data, wrong key", async () => {
    const { tessera } = setup();
    const unknownTag = await rejection(tessera.sessions.start({ ...scope, tag: "nope", data: SEED }));
    expect(unknownTag.status).toBe(404);
    expect(unknownTag.code).toMatch(/NOT_FOUND$/);
    const badData = await rejection(tessera.sessions.start({ ...scope, data: { userId: 42 } }));
    expect(badData).toMatchObject({ code: "INVALID_ARGUMENT", status: 400 });
    expect(badData.field).toMatch(/^data\./);
    const wrongKey = "tsk_wrong_key_0123456789abcdef";
    const { tessera: stranger } = setup({ accessKey: wrongKey });
    const unauthorized = await rejection(stranger.sessions.start({ ...scope, data: SEED }));
    expect(unauthorized).toMatchObject({ code: "UNAUTHORIZED", status: 401 });
    expect(unauthorized.message).not.toContain(wrongKey);
  });

  it("the ky hook carries the session to /v1/sessions/track (Authorization: Session <tag>:<jwt>)", async () => {
    const { tessera } = setup();
    await tessera.sessions.start({ ...scope, data: SEED });
    const base = transport === "in-process" ? "http://tessera.internal" : loopback.url;
    const app = ky.create({
      prefixUrl: base,
      hooks: { beforeRequest: [tessera.sessions.kyHook({ tag: "session-tag" })] },
      ...(transport === "in-process" ? { fetch: ((input: Request) => server.fetch(input)) as typeof fetch } : {}),
    });
    const response = await app.post("v1/sessions/track", { json: { action: "opened-checkout" } });
    expect(response.status).toBe(202);
    const tracked = await tessera.sessions.fetch({ tag: "session-tag" }, transport === "in-process" ? server.fetch : undefined)(
      `${base}/v1/sessions/track`,
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ action: "paid" }) },
    );
    expect(tracked.status).toBe(202);
  });

  it("encryptedStorage at the edge: ciphertext at rest, sessions work the same", async () => {
    const inner = memoryStorage();
    const { tessera } = setup({ storage: encryptedStorage(inner, { key: secretKey(generateSecret()) }) });
    const started = await tessera.sessions.start({ ...scope, data: SEED });
    const raw = (await inner.get("tessera:my-product-tag:snd:session-tag"))!;
    expect(raw).toMatch(/^v1\./);
    expect(raw).not.toContain(started.token.split(":")[1]!.slice(0, 20));
    expect((await tessera.sessions.get({ tag: "session-tag" }))!.token).toBe(started.token);
  });
});
