import { describe, expect, it } from "vitest";
import { harness, PUBLISHABLE_KEY, SCOPE } from "./helpers.js";

const refresh = (h: Awaited<ReturnType<typeof harness>>, refreshToken: string, key?: string) =>
  h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken }, key ? { key } : {});

describe("POST /v1/sessions/refresh", () => {
  it("rotates: a new token and a new refresh token, the old refresh token is spent", async () => {
    const h = await harness();
    const first = await h.start();
    h.clock.now += 60_000;
    const second = await refresh(h, first.refreshToken, PUBLISHABLE_KEY);
    expect(second.status).toBe(200);
    expect(second.body.sessionId).toBe(first.sessionId);
    expect(second.body.token).not.toBe(first.token);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect(new Date(second.body.expiresAt).getTime()).toBe(h.clock.now + 15 * 60_000);
    // The new token verifies and still carries the data.
    const verified = await h.post("/v1/sessions/verify", { ...SCOPE, token: second.body.token });
    expect(verified.body).toMatchObject({ valid: true, data: { userId: "1919102009383" } });
    // And rotates again.
    const third = await refresh(h, second.body.refreshToken);
    expect(third.status).toBe(200);
    expect(third.body.refreshToken).not.toBe(second.body.refreshToken);
  });

  it("gives the current pair to the previous token inside the grace window", async () => {
    const h = await harness();
    const first = await h.start();
    const second = await refresh(h, first.refreshToken);
    h.clock.now += 9_000;
    const replay = await refresh(h, first.refreshToken);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(second.body);
    // The session is still alive and the current token still rotates.
    expect((await refresh(h, second.body.refreshToken)).status).toBe(200);
  });

  it("revokes the session on reuse after the grace window (RFC 9700 §4.14)", async () => {
    const h = await harness();
    const first = await h.start();
    const second = await refresh(h, first.refreshToken);
    h.clock.now += 10_001;
    const reuse = await refresh(h, first.refreshToken);
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe("REFRESH_REUSED");
    // The whole session is gone: the current refresh token and the current token too.
    const after = await refresh(h, second.body.refreshToken);
    expect(after.body.error.code).toBe("SESSION_REVOKED");
    const verified = await h.post("/v1/sessions/verify", { ...SCOPE, token: second.body.token });
    expect(verified.body).toEqual({ valid: false, reason: "revoked" });
  });

  it("revokes on an older generation even inside the grace window", async () => {
    const h = await harness();
    const first = await h.start();
    const second = await refresh(h, first.refreshToken);
    await refresh(h, second.body.refreshToken);
    const reuse = await refresh(h, first.refreshToken);
    expect(reuse.body.error.code).toBe("REFRESH_REUSED");
  });

  it("50 concurrent refreshes with one token make exactly one new generation", async () => {
    const h = await harness();
    const first = await h.start();
    const answers = await Promise.all(Array.from({ length: 50 }, () => refresh(h, first.refreshToken)));
    const ok = answers.filter((a) => a.status === 200);
    expect(ok.length).toBeGreaterThan(0);
    expect(new Set(ok.map((a) => a.body.refreshToken)).size).toBe(1);
    for (const a of answers) if (a.status !== 200) expect(a.body.error.code).toBe("REFRESH_REUSED");
    // With the clock standing still every caller is inside the grace window.
    expect(ok).toHaveLength(50);
    expect((await refresh(h, ok[0]!.body.refreshToken)).status).toBe(200);
  });

  it("refuses an unknown, malformed, foreign-tag or expired refresh token", async () => {
    const h = await harness();
    const first = await h.start();
    for (const refreshToken of ["session-tag:" + "A".repeat(43), "nonsense", first.refreshToken.replace("session-tag", "guest")]) {
      const answer = await refresh(h, refreshToken);
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe("REFRESH_INVALID");
    }
    const wrongEnv = await h.post("/v1/sessions/refresh", { ...SCOPE, env: "prd", refreshToken: first.refreshToken });
    expect(wrongEnv.body.error.code).toBe("REFRESH_INVALID");
    const missing = await h.post("/v1/sessions/refresh", { ...SCOPE });
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe("refreshToken");
    h.clock.now += 30 * 86_400_000;
    const expired = await refresh(h, first.refreshToken);
    expect(expired.body.error.code).toBe("REFRESH_EXPIRED");
  });

  it("needs an access key", async () => {
    const h = await harness();
    const first = await h.start();
    expect((await h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: first.refreshToken }, { key: null })).status).toBe(401);
  });

  it("records refresh activity, including the reuse", async () => {
    const h = await harness();
    const first = await h.start();
    await refresh(h, first.refreshToken);
    h.clock.now += 20_000;
    await refresh(h, first.refreshToken);
    const { body } = await h.get(`/v1/users/1919102009383/activity`, { product: SCOPE.product, env: SCOPE.env });
    expect(body.events.map((e: any) => `${e.operation}:${e.status}`)).toEqual(["create:success", "refresh:success", "refresh:fail"]);
    expect(body.events[2].message).toContain("reuse");
  });
});
