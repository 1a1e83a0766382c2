import { describe, expect, it } from "vitest";
import { harness, PUBLISHABLE_KEY, SCOPE } from "./helpers.js";

const USER = { userId: "u-1", details: { email: "u@x" } };

describe("POST /v1/sessions/revoke", () => {
  it("revokes by sessionId, identifier or refreshToken with a secret key", async () => {
    const h = await harness();
    const a = await h.start(USER);
    const b = await h.start(USER);
    const c = await h.start(USER);
    const other = await h.start({ userId: "u-2", details: { email: "v@x" } });
    expect((await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: a.sessionId })).body).toEqual({ revoked: 1 });
    expect((await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: a.sessionId })).body).toEqual({ revoked: 0 });
    expect((await h.post("/v1/sessions/revoke", { ...SCOPE, refreshToken: b.refreshToken })).body).toEqual({ revoked: 1 });
    expect((await h.post("/v1/sessions/revoke", { ...SCOPE, identifier: "u-1" })).body).toEqual({ revoked: 1 });
    const verified = await Promise.all([a, b, c, other].map((s) => h.post("/v1/sessions/verify", { ...SCOPE, token: s.token })));
    expect(verified.map((v) => v.body.valid)).toEqual([false, false, false, true]);
    expect((await h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: c.refreshToken })).body.error.code).toBe("SESSION_REVOKED");
  });

  it("needs exactly one target and answers 404 for an unknown session", async () => {
    const h = await harness();
    const a = await h.start(USER);
    const none = await h.post("/v1/sessions/revoke", { ...SCOPE });
    expect(none.status).toBe(400);
    const two = await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: a.sessionId, identifier: "u-1" });
    expect(two.status).toBe(400);
    expect(two.body.error.field).toBe("identifier");
    const unknown = await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: "00000000-0000-0000-0000-000000000000" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("SESSION_NOT_FOUND");
    const otherEnv = await h.post("/v1/sessions/revoke", { ...SCOPE, env: "prd", sessionId: a.sessionId });
    expect(otherEnv.status).toBe(404);
  });

  it("lets a publishable key revoke only what the caller holds", async () => {
    const h = await harness();
    const mine = await h.start(USER);
    const theirs = await h.start({ userId: "u-2", details: { email: "v@x" } });
    const pub = { key: PUBLISHABLE_KEY };
    expect((await h.post("/v1/sessions/revoke", { ...SCOPE, identifier: "u-2" }, pub)).status).toBe(403);
    const noProof = await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: theirs.sessionId }, pub);
    expect(noProof.status).toBe(403);
    const wrongProof = await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: theirs.sessionId }, { ...pub, headers: { "x-session-token": mine.token } });
    expect(wrongProof.status).toBe(403);
    const ownProof = await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: mine.sessionId }, { ...pub, headers: { "x-session-token": mine.token } });
    expect(ownProof.body).toEqual({ revoked: 1 });
    expect((await h.post("/v1/sessions/revoke", { ...SCOPE, refreshToken: theirs.refreshToken }, pub)).body).toEqual({ revoked: 1 });
    expect((await h.post("/v1/sessions/revoke-all", { ...SCOPE, identifier: "u-1" }, pub)).status).toBe(403);
  });
});

describe("POST /v1/sessions/revoke-all", () => {
  it("revokes an identifier's sessions, optionally keeping one", async () => {
    const h = await harness();
    const keep = await h.start(USER);
    await h.start(USER);
    await h.start(USER);
    const other = await h.start({ userId: "u-2", details: { email: "v@x" } });
    const answer = await h.post("/v1/sessions/revoke-all", { ...SCOPE, identifier: "u-1", excludeSessionId: keep.sessionId });
    expect(answer.body).toEqual({ revoked: 2 });
    const active = await h.get("/v1/sessions", { ...SCOPE });
    expect(active.body.sessions.map((s: any) => s.sessionId).sort()).toEqual([keep.sessionId, other.sessionId].sort());
    expect((await h.post("/v1/sessions/revoke-all", { ...SCOPE, identifier: "u-1" })).body).toEqual({ revoked: 1 });
    const missing = await h.post("/v1/sessions/revoke-all", { ...SCOPE });
    expect(missing.body.error.field).toBe("identifier");
  });
});
