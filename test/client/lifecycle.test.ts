import { describe, expect, it } from "vitest";
import { createClient, SessionError, type SessionChange } from "../../src/index.js";
import { memoryStorage, type SessionStorage } from "../../src/storage/index.js";
import { fakeEndpoint, manualClock } from "./fake-endpoint.js";
import { rejection } from "../support/rejection.js";

const scope = { product: "p", env: "snd", tag: "session-tag" };
const KEY = "tessera:p:snd:session-tag";
const MIN = 60_000;

function setup(options: { lifetimeMs?: number; storage?: SessionStorage; refreshMargin?: number } = {}) {
  const clock = manualClock();
  const endpoint = fakeEndpoint({ now: clock.now, lifetimeMs: options.lifetimeMs });
  const storage = options.storage ?? memoryStorage();
  const changes: SessionChange[] = [];
  const make = (fetch: (r: Request) => Promise<Response> = endpoint.fetch) => {
    const client = createClient({
      baseUrl: "https://auth.test",
      accessKey: "tpk_test_publishable",
      product: "p",
      env: "snd",
      storage,
      fetch,
      now: clock.now,
      retries: 0,
      refreshMargin: options.refreshMargin,
    });
    return client;
  };
  const tessera = make();
  tessera.sessions.onChange((change) => changes.push(change));
  return { clock, endpoint, storage, tessera, changes, make };
}

describe("get: the stored session, refreshed inside the margin", () => {
  it("is null without a session, and the started session after start (stored under tessera:<product>:<env>:<tag>)", async () => {
    const { tessera, storage } = setup();
    expect(await tessera.sessions.get(scope)).toBeNull();
    const started = await tessera.sessions.start({ tag: "session-tag", data: { userId: "u1" } });
    expect(started.token).toMatch(/^session-tag:/);
    const stored = JSON.parse((await storage.get(KEY))!);
    expect(stored).toMatchObject({ token: started.token, refreshToken: started.refreshToken, sessionId: started.sessionId, expiresAt: started.expiresAt, refreshExpiresAt: started.refreshExpiresAt });
    expect(await tessera.sessions.get({ tag: "session-tag" })).toEqual({ ...scope, ...started });
  });

  it("refreshes only once 60 s or less remain on a 15-minute token (default margin)", async () => {
    const { tessera, endpoint, clock } = setup();
    const started = await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    clock.advance(14 * MIN - 1_000); // 61 s left
    expect((await tessera.sessions.get(scope))!.token).toBe(started.token);
    expect(endpoint.count("/v1/sessions/refresh")).toBe(0);
    clock.advance(2_000); // 59 s left
    const next = (await tessera.sessions.get(scope))!;
    expect(endpoint.count("/v1/sessions/refresh")).toBe(1);
    expect(next.token).not.toBe(started.token);
    expect(next.refreshToken).not.toBe(started.refreshToken);
  });

  it("uses 10% of the lifetime when that is under 60 s", async () => {
    const { tessera, endpoint, clock } = setup({ lifetimeMs: 100_000 });
    await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    clock.advance(89_000); // 11 s left, margin 10 s
    await tessera.sessions.get(scope);
    expect(endpoint.count("/v1/sessions/refresh")).toBe(0);
    clock.advance(2_000);
    await tessera.sessions.get(scope);
    expect(endpoint.count("/v1/sessions/refresh")).toBe(1);
  });

  it("honours a configured margin", async () => {
    const { tessera, endpoint, clock } = setup({ refreshMargin: 5 * MIN });
    await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    clock.advance(10 * MIN + 1_000);
    await tessera.sessions.get(scope);
    expect(endpoint.count("/v1/sessions/refresh")).toBe(1);
  });

  it("caps a configured margin at half the lifetime, so fresh tokens are not refreshed in a loop", async () => {
    const { tessera, endpoint, clock } = setup({ refreshMargin: 60 * MIN });
    await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    await tessera.sessions.get(scope);
    expect(endpoint.count("/v1/sessions/refresh")).toBe(0);
    clock.advance(7.5 * MIN + 1_000);
    await tessera.sessions.get(scope);
    expect(endpoint.count("/v1/sessions/refresh")).toBe(1);
  });

  it("corrects for a device clock that is an hour behind the server", async () => {
    const clock = manualClock();
    const endpoint = fakeEndpoint({ now: () => clock.now() + 3600_000 });
    const tessera = createClient({ baseUrl: "https://auth.test", storage: memoryStorage(), fetch: endpoint.fetch, now: clock.now, retries: 0 });
    await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    clock.advance(14.5 * MIN); // 30 s before the real expiry
    await tessera.sessions.get(scope);
    expect(endpoint.count("/v1/sessions/refresh")).toBe(1);
  });

  it("single-flight: 100 concurrent get() inside the margin make exactly one refresh request", async () => {
    const { tessera, endpoint, clock } = setup();
    await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    clock.advance(14.5 * MIN);
    const sessions = await Promise.all(Array.from({ length: 100 }, () => tessera.sessions.get(scope)));
    expect(endpoint.count("/v1/sessions/refresh")).toBe(1);
    expect(new Set(sessions.map((s) => s!.token)).size).toBe(1);
  });

  it("ends an expired session whose refresh token has expired too, without a request", async () => {
    const { tessera, endpoint, clock, storage, changes } = setup();
    await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    clock.advance(25 * 3600_000);
    expect(await tessera.sessions.get(scope)).toBeNull();
    expect(await storage.get(KEY)).toBeNull();
    expect(endpoint.count("/v1/sessions/refresh")).toBe(0);
    expect(changes.at(-1)).toMatchObject({ type: "ended", reason: "expired", tag: "session-tag", source: "local" });
  });
});

describe("commit guard", () => {
  it("keeps the session another tab stored while this tab's refresh was in flight", async () => {
    const { tessera, endpoint, clock, storage, make } = setup();
    await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowTab = make(async (request) => {
      const response = await endpoint.fetch(request);
      if (request.url.endsWith("/refresh")) await gate;
      return response;
    });
    clock.advance(14.5 * MIN);
    const pending = slowTab.sessions.get(scope);
    await new Promise((r) => setTimeout(r, 20));
    // Meanwhile another tab starts a new session under the same key.
    const other = await tessera.sessions.start({ ...scope, data: { userId: "u2" } });
    release();
    const result = await pending;
    expect(result!.sessionId).toBe(other.sessionId);
    expect(JSON.parse((await storage.get(KEY))!).sessionId).toBe(other.sessionId);
  });

  it("end() during a refresh in flight: nothing resurrects the session and the rotated pair is revoked", async () => {
    const { tessera, endpoint, clock, storage } = setup();
    await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    clock.advance(14.5 * MIN);
    const pending = tessera.sessions.get(scope);
    await tessera.sessions.end(scope);
    expect(await pending).toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    expect(await storage.get(KEY)).toBeNull();
    expect([...endpoint.sessions.values()][0]!.revoked).toBe(true);
  });
});

describe("failures: retryable ones keep the valid session, authoritative ones end it", () => {
  it("keeps the still-valid session on 503 and backs off before trying again", async () => {
    const { tessera, endpoint, clock, storage } = setup();
    const started = await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    clock.advance(14.5 * MIN);
    endpoint.script("/v1/sessions/refresh", { status: 503 });
    expect((await tessera.sessions.get(scope))!.token).toBe(started.token);
    expect(JSON.parse((await storage.get(KEY))!).token).toBe(started.token);
    await tessera.sessions.get(scope);
    expect(endpoint.count("/v1/sessions/refresh")).toBe(1); // backing off
    clock.advance(2_000);
    const next = (await tessera.sessions.get(scope))!;
    expect(endpoint.count("/v1/sessions/refresh")).toBe(2);
    expect(next.token).not.toBe(started.token);
  });

  it.each([
    ["network", "network" as const],
    ["403 (not about the session)", { status: 403, body: { error: { code: "FORBIDDEN", message: "no" } } }],
  ])("keeps the session on a %s failure", async (_name, answer) => {
    const { tessera, endpoint, clock, changes } = setup();
    const started = await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    clock.advance(14.5 * MIN);
    endpoint.script("/v1/sessions/refresh", answer);
    expect((await tessera.sessions.get(scope))!.sessionId).toBe(started.sessionId);
    expect(changes.some((c) => c.type === "ended")).toBe(false);
  });

  it("throws the retryable error once the token has expired, and keeps the session for later", async () => {
    const { tessera, endpoint, clock } = setup();
    const started = await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    clock.advance(16 * MIN);
    endpoint.script("/v1/sessions/refresh", "network");
    expect((await rejection(tessera.sessions.get(scope))).code).toBe("NETWORK_ERROR");
    const next = (await tessera.sessions.get(scope))!;
    expect(next.sessionId).toBe(started.sessionId);
    expect(next.token).not.toBe(started.token);
  });

  it.each([
    ["REFRESH_REUSED", "reuse_detected"],
    ["SESSION_REVOKED", "revoked"],
    ["REFRESH_EXPIRED", "expired"],
    ["REFRESH_INVALID", "invalid"],
  ])("%s clears the session and reports ended(%s)", async (code, reason) => {
    const { tessera, endpoint, clock, storage, changes } = setup();
    await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    clock.advance(14.5 * MIN);
    endpoint.script("/v1/sessions/refresh", { status: 401, body: { error: { code, message: "refused" } } });
    expect(await tessera.sessions.get(scope)).toBeNull();
    expect(await storage.get(KEY)).toBeNull();
    expect(changes.map((c) => c.type)).toEqual(["started", "ended"]);
    expect(changes[1]).toMatchObject({ type: "ended", reason, product: "p", env: "snd", tag: "session-tag" });
  });

  it("an explicit refresh() throws the authoritative error after clearing", async () => {
    const { tessera, endpoint, storage } = setup();
    await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    endpoint.revokeAll();
    expect((await rejection(tessera.sessions.refresh(scope))).code).toBe("SESSION_REVOKED");
    expect(await storage.get(KEY)).toBeNull();
    expect((await rejection(tessera.sessions.refresh(scope))).code).toBe("SESSION_NOT_FOUND");
  });
});

describe("events, end, revoke, verify", () => {
  it("reports started, refreshed and ended, and stops after unsubscribe", async () => {
    const { tessera, clock } = setup();
    const seen: string[] = [];
    const stop = tessera.sessions.onChange((c) => seen.push(c.type === "ended" ? `ended:${c.reason}` : c.type));
    const started = await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    clock.advance(14.5 * MIN);
    const refreshed = await tessera.sessions.get(scope);
    await tessera.sessions.end(scope);
    stop();
    await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    expect(seen).toEqual(["started", "refreshed", "ended:ended"]);
    expect(refreshed!.sessionId).toBe(started.sessionId);
  });

  it("a listener that throws does not break the call or other listeners", async () => {
    const { tessera } = setup();
    const seen: string[] = [];
    const errors: unknown[] = [];
    const onError = (error: unknown) => errors.push(error);
    process.on("uncaughtException", onError);
    tessera.sessions.onChange(() => {
      throw new Error("listener bug");
    });
    tessera.sessions.onChange((c) => seen.push(c.type));
    await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    await new Promise((r) => setTimeout(r, 10));
    process.off("uncaughtException", onError);
    expect(seen).toEqual(["started"]);
  });

  it("end() revokes on the server with the refresh token and clears storage", async () => {
    const { tessera, endpoint, storage } = setup();
    const started = await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    expect(await tessera.sessions.end(scope)).toEqual({ revoked: 1 });
    const revoke = endpoint.calls.find((c) => c.path === "/v1/sessions/revoke")!;
    expect(revoke.body).toEqual({ ...scope, refreshToken: started.refreshToken });
    expect(await storage.get(KEY)).toBeNull();
    expect(await tessera.sessions.end(scope)).toEqual({ revoked: 0 });
    expect(endpoint.count("/v1/sessions/revoke")).toBe(1);
  });

  it("end() offline still logs out locally, then reports the network error", async () => {
    const { tessera, endpoint, storage, changes } = setup();
    await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    endpoint.script("/v1/sessions/revoke", "network");
    expect((await rejection(tessera.sessions.end(scope))).code).toBe("NETWORK_ERROR");
    expect(await storage.get(KEY)).toBeNull();
    expect(changes.at(-1)).toMatchObject({ type: "ended", reason: "ended" });
  });

  it("revoke({sessionId}) of the stored session clears it locally; another id leaves it", async () => {
    const { tessera, storage, changes } = setup();
    const started = await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    await tessera.sessions.revoke({ ...scope, sessionId: "someone-else" });
    expect(await storage.get(KEY)).not.toBeNull();
    expect(await tessera.sessions.revoke({ ...scope, sessionId: started.sessionId })).toEqual({ revoked: 1 });
    expect(await storage.get(KEY)).toBeNull();
    expect(changes.at(-1)).toMatchObject({ type: "ended", reason: "revoked" });
  });

  it("verify() defaults to the stored token; with neither, answers not_found without a request", async () => {
    const { tessera, endpoint } = setup();
    expect(await tessera.sessions.verify(scope)).toEqual({ valid: false, reason: "not_found" });
    expect(endpoint.calls).toHaveLength(0);
    const started = await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    await tessera.sessions.verify(scope);
    expect(endpoint.calls.at(-1)!.body).toEqual({ ...scope, token: started.token });
  });

  it("start({ persist: false }) returns the tokens without storing them (a backend minting for a user)", async () => {
    const { tessera, storage, changes } = setup();
    const tokens = await tessera.sessions.start({ ...scope, data: { userId: "u1" }, persist: false });
    expect(tokens.refreshToken).toBeTruthy();
    expect(await storage.get(KEY)).toBeNull();
    expect(changes).toHaveLength(0);
  });

  it("adopt() stores a session a backend started, announces it, and refreshes it later", async () => {
    const { tessera, endpoint, clock, storage, changes } = setup();
    const backend = createClient({ baseUrl: "https://auth.test", storage: memoryStorage(), fetch: endpoint.fetch, now: clock.now });
    const tokens = await backend.sessions.start({ ...scope, data: { userId: "u1" }, persist: false });
    const adopted = await tessera.sessions.adopt({ tag: "session-tag", ...tokens });
    expect(adopted).toEqual({ ...scope, ...tokens });
    expect(JSON.parse((await storage.get(KEY))!).refreshToken).toBe(tokens.refreshToken);
    expect(changes.map((c) => c.type)).toEqual(["started"]);
    clock.advance(14.5 * MIN);
    expect((await tessera.sessions.get(scope))!.sessionId).toBe(tokens.sessionId);
    expect(endpoint.count("/v1/sessions/refresh")).toBe(1);
  });

  it("adopt() checks every field before storing anything", async () => {
    const { tessera, storage } = setup();
    const good = { tag: "session-tag", token: "session-tag:a.b.c", refreshToken: "session-tag:r", expiresAt: "2026-01-01T00:15:00Z", refreshExpiresAt: "2026-01-02T00:00:00Z", sessionId: "s1" };
    for (const [field, value] of [["token", undefined], ["sessionId", ""], ["expiresAt", "soon"], ["refreshExpiresAt", 5]] as const) {
      const error = await rejection(tessera.sessions.adopt({ ...good, [field]: value } as never));
      expect(error.code).toBe("INVALID_ARGUMENT");
    }
    expect(await storage.get(KEY)).toBeNull();
  });

  it("refresh({ refreshToken }) of the stored session stores the rotated pair", async () => {
    const { tessera, storage } = setup();
    const started = await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    const next = await tessera.sessions.refresh({ ...scope, refreshToken: started.refreshToken });
    expect(JSON.parse((await storage.get(KEY))!).refreshToken).toBe(next.refreshToken);
  });
});

describe("unreadable records", () => {
  it("a corrupt record reads as no session plus an error event, and does not throw", async () => {
    const { tessera, storage, changes } = setup();
    await storage.set(KEY, "{not json");
    await storage.set("tessera:p:snd:other", "untouched");
    expect(await tessera.sessions.get(scope)).toBeNull();
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ type: "error", tag: "session-tag" });
    expect((changes[0] as { error: SessionError }).error.code).toBe("STORAGE_ERROR");
    expect(await storage.get("tessera:p:snd:other")).toBe("untouched");
  });

  it("a record stored for another scope is not accepted under this key", async () => {
    const { tessera, storage } = setup();
    await tessera.sessions.start({ ...scope, tag: "admin", data: { userId: "u1" } });
    await storage.set(KEY, (await storage.get("tessera:p:snd:admin"))!);
    expect(await tessera.sessions.get(scope)).toBeNull();
  });

  it("a storage that throws on read is reported, not thrown", async () => {
    const broken: SessionStorage = {
      get: () => Promise.reject(new Error("quota")),
      set: async () => undefined,
      delete: async () => undefined,
    };
    const { tessera, changes } = setup({ storage: broken });
    expect(await tessera.sessions.get(scope)).toBeNull();
    expect(changes[0]).toMatchObject({ type: "error" });
  });
});

describe("writes that fail", () => {
  it("a rotated pair that could not be written is kept in memory, so the older stored pair is never replayed", async () => {
    const inner = memoryStorage();
    let failing = false;
    const storage: SessionStorage = {
      get: (key) => inner.get(key),
      set: (key, value, options) => (failing ? Promise.reject(new DOMException("full", "QuotaExceededError")) : inner.set(key, value, options)),
      delete: (key) => inner.delete(key),
    };
    const { tessera, endpoint, clock, changes } = setup({ storage });
    const started = await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    clock.advance(14.5 * MIN);
    failing = true;
    const rotated = (await tessera.sessions.get(scope))!;
    expect(rotated.refreshToken).not.toBe(started.refreshToken);
    expect(changes.some((c) => c.type === "error")).toBe(true);
    failing = false;
    clock.advance(14.5 * MIN); // far past the grace window: replaying the stored (older) pair would be reuse
    const later = (await tessera.sessions.get(scope))!;
    expect(later.sessionId).toBe(started.sessionId);
    expect([...endpoint.sessions.values()][0]!.revoked).toBe(false);
    expect(changes.some((c) => c.type === "ended")).toBe(false);
    expect(JSON.parse((await inner.get(KEY))!).refreshToken).toBe(later.refreshToken); // written once storage recovered
  });
});

describe("two tabs sharing one storage", () => {
  it("refreshing at the same moment end with one valid session and no logout", async () => {
    const { tessera, endpoint, clock, storage, make, changes } = setup();
    await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    const otherTab = make();
    clock.advance(14.5 * MIN);
    const [a, b] = await Promise.all([tessera.sessions.get(scope), otherTab.sessions.get(scope)]);
    expect(a!.token).toBe(b!.token);
    expect(JSON.parse((await storage.get(KEY))!).token).toBe(a!.token);
    expect([...endpoint.sessions.values()][0]!.revoked).toBe(false);
    expect(changes.some((c) => c.type === "ended")).toBe(false);
    // and the session keeps working afterwards
    clock.advance(14.5 * MIN);
    expect(await otherTab.sessions.get(scope)).not.toBeNull();
  });
});
