import { describe, expect, it } from "vitest";
import { harness, PRODUCTS, SCOPE } from "./helpers.js";

// OWASP ASVS 5.0 7.3.2: a session has an absolute end, however often it is refreshed.
const withMaxLifetime = (expiry: number) =>
  PRODUCTS.map((product) => ({
    ...product,
    sessions: product.sessions.map((s) => (s.tag === SCOPE.tag ? { ...s, maxLifetime: { expiry, period: "hours" as const } } : s)),
  }));

describe("maxLifetime", () => {
  it("clamps both tokens to the session's absolute end and refuses refresh after it", async () => {
    const h = await harness({ products: withMaxLifetime(1) });
    const startedAt = h.clock.now;
    const end = startedAt + 3_600_000;
    let pair = await h.start();
    expect(new Date(pair.refreshExpiresAt).getTime()).toBe(end);

    // Refreshing every 10 minutes keeps it alive only until the end.
    for (let i = 0; i < 5; i++) {
      h.clock.now += 10 * 60_000;
      const next = await h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: pair.refreshToken });
      expect(next.status).toBe(200);
      pair = next.body;
    }
    h.clock.now = end - 5 * 60_000;
    const last = await h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: pair.refreshToken });
    expect(last.status).toBe(200);
    expect(new Date(last.body.expiresAt).getTime()).toBe(end); // 15 min would pass the end
    expect(new Date(last.body.refreshExpiresAt).getTime()).toBe(end);

    h.clock.now = end;
    const after = await h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: last.body.refreshToken });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("SESSION_EXPIRED");
  });

  it("is checked at creation, naming the field", async () => {
    await expect(harness({ products: withMaxLifetime(0) })).rejects.toThrow(/session "session-tag": maxLifetime\.expiry must be a positive integer/);
  });
});
