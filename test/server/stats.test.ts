import { describe, expect, it } from "vitest";
import { harness, PUBLISHABLE_KEY, SCOPE } from "./helpers.js";

const MIN = 60_000;

/** Real flows through the endpoint: every failure reason the stats name comes from a handler's own message. */
async function busyHour() {
  const h = await harness();
  const t0 = h.clock.now;
  const a = await h.start({ userId: "a", details: { email: "a@x" } });
  const b = await h.start({ userId: "b", details: { email: "b@x" } });
  h.clock.now += MIN;
  const rotated = (await h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: a.refreshToken })).body;
  await h.post("/v1/sessions/verify", { ...SCOPE, token: rotated.token });
  h.clock.now += 30 * MIN;
  // The first refresh token again, past the grace window: reuse, the session is revoked.
  expect((await h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: a.refreshToken })).body.error.code).toBe("REFRESH_REUSED");
  await h.post("/v1/sessions/verify", { ...SCOPE, token: b.token });
  expect((await h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: rotated.refreshToken })).body.error.code).toBe("SESSION_REVOKED");
  const fresh = (await h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: b.refreshToken })).body;
  await h.post("/v1/sessions/track", { action: "checkout" }, { key: null, headers: { authorization: `Session ${fresh.token}` } });
  await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: b.sessionId });
  return { h, t0 };
}

describe("GET /v1/stats", () => {
  it("counts starts, refreshes, verifies by reason, reuse, revokes and actions per bucket", async () => {
    const { h, t0 } = await busyHour();
    const from = new Date(t0).toISOString();
    const to = new Date(t0 + 60 * MIN).toISOString();
    const { status, body } = await h.get("/v1/stats", { ...SCOPE, from, to, bucket: "30m" });
    expect(status).toBe(200);
    expect(body).toMatchObject({ product: SCOPE.product, env: SCOPE.env, tag: SCOPE.tag, from, to, bucketSeconds: 1800, activeSessions: 0, distinctUsers: 2, truncated: false });
    expect(body.buckets).toHaveLength(2);
    expect(body.buckets[0]).toMatchObject({ start: from, starts: 2, refreshes: 1, verifies: { valid: 1, invalid: {} }, reuseDetections: 0 });
    expect(body.buckets[1]).toMatchObject({
      refreshes: 1,
      reuseDetections: 1,
      revokes: 1,
      verifies: { valid: 0, invalid: { expired: 1 } },
      actions: { checkout: 1 },
      failures: { "refresh:reuse": 1, "refresh:revoked": 1, "verify:expired": 1 },
    });
    expect(body.totals).toMatchObject({ starts: 2, refreshes: 2, reuseDetections: 1, revokes: 1 });
  });

  it("counts active sessions now and picks a bucket size for the range", async () => {
    const h = await harness();
    await h.start();
    await h.start({ userId: "2", details: { email: "x@y" } });
    const { body } = await h.get("/v1/stats", { product: SCOPE.product, env: SCOPE.env });
    expect(body).toMatchObject({ activeSessions: 2, distinctUsers: 2, bucketSeconds: 1800, totals: { starts: 2 } });
    // 24 hours back from now, in half hours aligned on the clock: the first and last are partial.
    expect(body.buckets).toHaveLength(49);
    expect(body.buckets.at(-1)).toMatchObject({ start: new Date(h.clock.now).toISOString(), starts: 2 });
    expect((await h.get("/v1/stats", { product: SCOPE.product, env: "dev" })).body).toMatchObject({ activeSessions: 0, distinctUsers: 0 });
  });

  it("refuses bad input with the field named, and publishable keys", async () => {
    const h = await harness();
    const bad = async (query: Record<string, string>, field: string) =>
      expect((await h.get("/v1/stats", { product: SCOPE.product, env: SCOPE.env, ...query })).body.error).toMatchObject({ code: "INVALID_ARGUMENT", field });
    await bad({ bucket: "5s" }, "bucket");
    await bad({ bucket: "1m", from: "2026-01-01T00:00:00Z", to: "2026-01-05T00:00:00Z" }, "bucket");
    await bad({ from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z" }, "from");
    await bad({ from: "2025-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }, "from");
    await bad({ to: "soon" }, "to");
    expect((await h.get("/v1/stats", { ...SCOPE, tag: "nope" })).body.error.code).toBe("TAG_NOT_FOUND");
    expect((await h.get("/v1/stats", { product: SCOPE.product, env: SCOPE.env }, { key: PUBLISHABLE_KEY })).status).toBe(403);
  });
});

describe("GET /v1/activity and /v1/products", () => {
  it("answers a product's newest events across users, without tracked data", async () => {
    const { h, t0 } = await busyHour();
    const { body } = await h.get("/v1/activity", { product: SCOPE.product, env: SCOPE.env, limit: "3" });
    expect(body.events).toHaveLength(3);
    expect(body.events[0]).toMatchObject({ operation: "revoke", identifier: "b" });
    expect(body.events[1]).toMatchObject({ operation: "track", action: "checkout" });
    expect(body.events[1].data).toBeUndefined();
    const since = await h.get("/v1/activity", { product: SCOPE.product, env: SCOPE.env, from: new Date(t0 + 31 * MIN).toISOString(), limit: "200" });
    expect(since.body.events.every((e: { startAt: string }) => Date.parse(e.startAt) >= t0 + 31 * MIN)).toBe(true);
    expect((await h.get("/v1/activity", { product: SCOPE.product, env: SCOPE.env, limit: "201" })).body.error.field).toBe("limit");
  });

  it("lists products, envs and session tags to secret keys only", async () => {
    const h = await harness();
    expect((await h.get("/v1/products", {})).body.products[0]).toEqual({
      tag: "my-product-tag",
      envs: ["dev", "snd", "prd"],
      sessions: [{ tag: "session-tag", name: "session-tag" }, { tag: "guest", name: "guest" }],
    });
    expect((await h.get("/v1/products", {}, { key: PUBLISHABLE_KEY })).status).toBe(403);
  });
});
