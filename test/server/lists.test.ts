import { describe, expect, it } from "vitest";
import { harness, PUBLISHABLE_KEY, SCOPE } from "./helpers.js";

const user = (id: string) => ({ userId: id, details: { email: `${id}@x` } });

describe("GET /v1/sessions", () => {
  it("pages active sessions newest first; status=all includes ended ones", async () => {
    const h = await harness();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await h.start(user(i < 3 ? "a" : "b"))).sessionId);
      h.clock.now += 1000;
    }
    await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: ids[0] });
    const page1 = await h.get("/v1/sessions", { ...SCOPE, page: "1", limit: "2" });
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ total: 4, page: 1, limit: 2 });
    expect(page1.body.sessions.map((s: any) => s.sessionId)).toEqual([ids[4], ids[3]]);
    expect(page1.body.sessions[0]).toMatchObject({ identifier: "b", active: true });
    const page2 = await h.get("/v1/sessions", { ...SCOPE, page: "2", limit: "2" });
    expect(page2.body.sessions.map((s: any) => s.sessionId)).toEqual([ids[2], ids[1]]);
    const ofA = await h.get("/v1/sessions", { ...SCOPE, identifier: "a", status: "all" });
    expect(ofA.body.total).toBe(3);
    const revoked = ofA.body.sessions.find((s: any) => s.sessionId === ids[0]);
    expect(revoked).toMatchObject({ active: false, endAt: new Date(h.clock.now).toISOString() });
  });

  it("needs a secret key and valid paging", async () => {
    const h = await harness();
    expect((await h.get("/v1/sessions", { ...SCOPE }, { key: PUBLISHABLE_KEY })).status).toBe(403);
    expect((await h.get("/v1/sessions", { ...SCOPE }, { key: null })).status).toBe(401);
    const bad = await h.get("/v1/sessions", { ...SCOPE, limit: "1000" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("limit");
    expect((await h.get("/v1/sessions", { ...SCOPE, page: "-1" })).body.error.field).toBe("page");
    expect((await h.get("/v1/sessions", { product: SCOPE.product, env: SCOPE.env })).body.error.field).toBe("tag");
  });
});

describe("GET /v1/users and activity", () => {
  it("lists session users with first/last seen and counts", async () => {
    const h = await harness();
    const t0 = h.clock.now;
    const first = await h.start(user("a"));
    h.clock.now += 60_000;
    await h.start(user("a"));
    await h.start(user("b"));
    h.clock.now += 60_000;
    await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: first.sessionId });
    const { status, body } = await h.get("/v1/users", { ...SCOPE });
    expect(status).toBe(200);
    expect(body.total).toBe(2);
    const a = body.users.find((u: any) => u.identifier === "a");
    expect(a).toEqual({ identifier: "a", firstSeen: new Date(t0).toISOString(), lastSeen: new Date(h.clock.now).toISOString(), totalSessions: 2, activeSessions: 1 });
    expect(body.users[0].identifier).toBe("a"); // most recently seen first
  });

  it("returns an identifier's timeline oldest first, filtered by time, including tracked actions", async () => {
    const h = await harness();
    const t0 = h.clock.now;
    const s = await h.start(user("a"));
    h.clock.now += 1000;
    await h.post("/v1/sessions/verify", { ...SCOPE, token: s.token });
    h.clock.now += 1000;
    const tracked = await h.call("POST", "/v1/sessions/track", { action: "checkout", data: { cart: 3 } }, { key: null, headers: { authorization: `Session ${s.token}` } });
    expect(tracked.status).toBe(202);
    h.clock.now += 1000;
    await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: s.sessionId });
    await h.start(user("other"));
    const all = await h.get("/v1/users/a/activity", { product: SCOPE.product, env: SCOPE.env });
    expect(all.body.total).toBe(4);
    expect(all.body.events.map((e: any) => e.operation)).toEqual(["create", "verify", "track", "revoke"]);
    expect(all.body.events[2]).toMatchObject({ action: "checkout", data: { cart: 3 }, sessionId: s.sessionId, identifier: "a", status: "success" });
    expect(all.body.events[0].startAt).toBe(new Date(t0).toISOString());
    const window = await h.get("/v1/users/a/activity", { ...SCOPE, from: new Date(t0 + 500).toISOString(), to: new Date(t0 + 2500).toISOString() });
    expect(window.body.events.map((e: any) => e.operation)).toEqual(["verify", "track"]);
    expect((await h.get("/v1/users/a/activity", { ...SCOPE, from: "yesterday" })).status).toBe(400);
    expect((await h.get("/v1/users/a/activity", { product: "x", env: "snd" })).status).toBe(404);
    expect((await h.get("/v1/users/a/activity", { ...SCOPE }, { key: PUBLISHABLE_KEY })).status).toBe(403);
  });
});

describe("POST /v1/sessions/track", () => {
  it("needs a valid, live session token", async () => {
    const h = await harness();
    const s = await h.start(user("a"));
    const track = (headers: Record<string, string>, body: unknown = { action: "x" }) => h.call("POST", "/v1/sessions/track", body, { key: null, headers });
    expect((await track({})).status).toBe(401);
    expect((await track({ authorization: "Session nonsense" })).status).toBe(401);
    expect((await track({ authorization: `Session ${s.token}` }, {})).status).toBe(400);
    // An access key in Authorization, the session in X-Session-Token.
    expect((await track({ authorization: `Bearer ${PUBLISHABLE_KEY}`, "x-session-token": s.token })).status).toBe(202);
    await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: s.sessionId });
    const revoked = await track({ authorization: `Session ${s.token}` });
    expect(revoked.status).toBe(401);
    expect((await revoked.json()).error.code).toBe("SESSION_REVOKED");
  });
});

describe("GET /.well-known/jwks.json, /healthz, purge", () => {
  it("serves public keys and health without a key", async () => {
    const h = await harness();
    const jwks = await h.call("GET", "/.well-known/jwks.json", undefined, { key: null });
    expect(jwks.status).toBe(200);
    const body = await jwks.json();
    expect(body.keys).toHaveLength(2);
    expect(body.keys.every((k: any) => k.d === undefined && typeof k.kid === "string")).toBe(true);
    const health = await h.call("GET", "/healthz", undefined, { key: null });
    expect(await health.json()).toEqual({ ok: true });
    const head = await h.call("HEAD", "/healthz", undefined, { key: null });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("purge removes ended sessions and activity past retention", async () => {
    const h = await harness({ activityRetentionDays: 1 });
    const s = await h.start(user("a"));
    await h.start(user("b"));
    await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: s.sessionId });
    h.clock.now += 1000;
    expect(await h.server.purge()).toEqual({ sessions: 1, activity: 0 });
    h.clock.now += 2 * 86_400_000;
    expect(await h.server.purge()).toEqual({ sessions: 0, activity: 3 });
    h.clock.now += 31 * 86_400_000;
    expect((await h.server.purge()).sessions).toBe(1);
    expect((await h.get("/v1/sessions", { ...SCOPE, status: "all" })).body.total).toBe(0);
  });
});

describe("CORS", () => {
  it("is off by default and answers preflights for configured origins only", async () => {
    const off = await harness();
    const plain = await off.call("GET", "/healthz", undefined, { headers: { origin: "https://app.example" } });
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
    const h = await harness({ cors: { origins: ["https://app.example"] } });
    const preflight = (origin: string) =>
      h.server.fetch(new Request("http://x/v1/sessions/refresh", { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } }));
    const ok = await preflight("https://app.example");
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-headers")).toContain("authorization");
    expect((await preflight("https://evil.example")).status).toBe(403);
    const started = await h.call("POST", "/v1/sessions/start", { ...SCOPE, data: { userId: "u", details: { email: "e" } } }, { headers: { origin: "https://app.example" } });
    expect(started.status).toBe(201);
    expect(started.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect((await started.json()).token).toMatch(/^session-tag:eyJ/);
  });
});
