/**
 * `data` is bounded where it enters (start, track, resolveSessionInput), so nothing stored can
 * fail to serialise later: deep nesting used to answer 500 on track and, a little shallower,
 * stored a row that made the user's whole activity timeline answer 500 until the purge.
 * Also: tokens nothing could use were issued, and JSON answers lacked `nosniff`.
 */
import { describe, expect, it } from "vitest";
import { memoryStore, resolveSessionInput, type StandardSchemaV1 } from "../../src/server/index.js";
import { isSessionError } from "../../src/shared/errors.js";
import { harness, PRODUCTS, PUBLISHABLE_KEY, SCOPE, SEED_DATA } from "../server/helpers.js";
import { sqliteSnapshotting } from "./fixtures.js";

/** JSON text `levels` deep, built as text: JSON.stringify of such a value overflows the test's own stack. */
const nestText = (levels: number) => `${'{"a":'.repeat(levels)}"leaf"${"}".repeat(levels)}`;

const nest = (levels: number): unknown => {
  let value: unknown = "leaf";
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

/** A Standard Schema that accepts anything and outputs `transform(value)`. */
const anything = (transform: (value: any) => unknown = (v) => v): StandardSchemaV1 => ({
  "~standard": { version: 1, vendor: "test", validate: (value) => ({ value: transform(value) }) },
});

const track = (h: Awaited<ReturnType<typeof harness>>, token: string, body: unknown) =>
  h.post("/v1/sessions/track", body, { key: null, headers: { authorization: `Session ${token}` } });

describe("deep, wide and large data", () => {
  it("track with data ~5,000 and ~4,100 levels deep: 400 naming data, and the timeline still reads", async () => {
    const h = await harness();
    const { token } = await h.start();
    for (const levels of [5_000, 4_100, 33]) {
      const answer = await track(h, token, `{"action":"deep","data":${nestText(levels)}}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "data" });
    }
    expect((await track(h, token, { action: "ok", data: nest(30) })).status).toBe(202);
    const activity = await h.get(`/v1/users/${SEED_DATA.userId}/activity`, { product: SCOPE.product, env: SCOPE.env });
    expect(activity.status).toBe(200);
    expect(activity.body.events.map((e: { action?: string }) => e.action).filter(Boolean)).toEqual(["ok"]);
    expect(h.errors).toEqual([]);
  });

  it("a row stored by an earlier version (4,100 levels) cannot poison GET /v1/users/<id>/activity", async () => {
    const store = memoryStore();
    const h = await harness({ store });
    const { sessionId } = await h.start();
    const deep = `${'{"a":'.repeat(4_100)}1${"}".repeat(4_100)}`;
    const at = h.clock.now;
    await store.recordActivity({ ...SCOPE, operation: "track", status: "success", startAt: at, endAt: at, message: "tracked old", sessionId, identifier: SEED_DATA.userId, action: "old", data: deep });
    await store.recordActivity({ ...SCOPE, operation: "track", status: "success", startAt: at, endAt: at, message: "tracked broken", sessionId, identifier: SEED_DATA.userId, action: "broken", data: "{not json" });
    const activity = await h.get(`/v1/users/${SEED_DATA.userId}/activity`, { product: SCOPE.product, env: SCOPE.env });
    expect(activity.status).toBe(200);
    const old = activity.body.events.filter((e: { action?: string }) => e.action);
    expect(old.map((e: { action: string; data?: unknown }) => [e.action, "data" in e])).toEqual([["old", false], ["broken", false]]);
    expect(h.errors).toEqual([]);
  });

  it("track data with too many members, or too large: 400 naming data", async () => {
    const h = await harness();
    const { token } = await h.start();
    const wide = Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`k${i}`, i]));
    const large = { blob: "x".repeat(60_000) };
    for (const data of [wide, large, Array.from({ length: 1_001 }, () => 0)]) {
      const answer = await track(h, token, { action: "big", data });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "data" });
    }
  });

  it("start with a Standard Schema that accepts any JSON: deep data is a 400, not a 500; non-JSON output too", async () => {
    const products = (schema: StandardSchemaV1) => [{ ...PRODUCTS[0]!, sessions: [{ tag: SCOPE.tag, schema, selector: "$Session{userId}", expiry: 15, period: "mins" as const }] }];
    const open = await harness({ products: products(anything()) });
    for (const levels of [5_000, 4_100, 40]) {
      const answer = await open.post("/v1/sessions/start", `{"product":"${SCOPE.product}","env":"${SCOPE.env}","tag":"${SCOPE.tag}","data":{"userId":"u1","deep":${nestText(levels)}}}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "data" });
    }
    expect(open.errors).toEqual([]);
    // A validator whose output is deeper than its input, or holds a bigint, is refused as well.
    for (const transform of [(v: any) => ({ ...v, deep: nest(5_000) }), (v: any) => ({ ...v, n: 10n }), (v: any) => ({ ...v, when: new Date(0) })]) {
      const h = await harness({ products: products(anything(transform)) });
      const answer = await h.post("/v1/sessions/start", { ...SCOPE, data: { userId: "u1" } });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe("INVALID_ARGUMENT");
      expect(h.errors).toEqual([]);
    }
  });

  it("resolveSessionInput bounds members and the text it resolves to", () => {
    const code = (run: () => unknown) => {
      try {
        run();
        return "resolved";
      } catch (error) {
        return isSessionError(error) ? `${error.code} ${error.field}` : String(error);
      }
    };
    const data = { blob: "y".repeat(8_000) };
    expect(code(() => resolveSessionInput({ list: Array.from({ length: 10_001 }, () => 1) }, data))).toBe("INVALID_ARGUMENT input");
    expect(code(() => resolveSessionInput({ list: Array.from({ length: 200 }, () => "$Session{blob}") }, data))).toBe("INVALID_ARGUMENT input");
    expect(code(() => resolveSessionInput({ list: Array.from({ length: 100 }, () => "$Session{blob}") }, data))).toBe("resolved");
  });
});

describe("a per-session cap on track volume", () => {
  it("events and data length per session: 429 TRACK_LIMIT_REACHED past either, other sessions unaffected", async () => {
    const h = await harness({ trackLimits: { events: 5, dataLength: 1_000 } });
    const a = await h.start();
    const b = await h.start();
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await track(h, a.token, { action: `a${i}` })).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429, 429]);
    const refused = await track(h, a.token, { action: "more" });
    expect(refused.body.error.code).toBe("TRACK_LIMIT_REACHED");
    const sizes = [];
    for (let i = 0; i < 3; i++) sizes.push((await track(h, b.token, { action: "blob", data: { blob: "z".repeat(400) } })).status);
    expect(sizes).toEqual([202, 202, 429]);
    expect((await track(h, b.token, { action: "small" })).status).toBe(202); // no data: still under both bounds
  });

  it.each([
    ["memoryStore", () => memoryStore()],
    ["SQLite", () => sqliteSnapshotting().store],
  ])("40 tracks of one session at once stop exactly at the cap (%s): each counts the ones before it", async (_name, makeStore) => {
    const h = await harness({ store: makeStore(), trackLimits: { events: 5, dataLength: 1_000 } });
    const a = await h.start();
    const b = await h.start();
    const [burst, other] = await Promise.all([
      Promise.all(Array.from({ length: 40 }, (_, i) => track(h, a.token, { action: `a${i}` }))),
      Promise.all(Array.from({ length: 3 }, (_, i) => track(h, b.token, { action: `b${i}`, data: { blob: "y".repeat(400) } }))),
    ]);
    expect(burst.filter((r) => r.status === 202)).toHaveLength(5);
    expect(burst.filter((r) => r.status === 429).map((r) => r.body.error.code)).toEqual(Array(35).fill("TRACK_LIMIT_REACHED"));
    // The data bound too: 2 × 400 characters fit 1,000, a third does not, however they arrive.
    expect(other.map((r) => r.status).sort()).toEqual([202, 202, 429]);
    const timeline = await h.get(`/v1/users/${SEED_DATA.userId}/activity`, { product: SCOPE.product, env: SCOPE.env, operation: "track", limit: "100" });
    expect(timeline.body.events).toHaveLength(7);
    expect(h.errors).toEqual([]);
  });

  it("one anonymous session cannot store 20 × 60 KB (the review's case) under the defaults", async () => {
    const h = await harness();
    const started = await h.post("/v1/sessions/start", { ...SCOPE, tag: "guest", data: { guestId: "anon" } }, { key: PUBLISHABLE_KEY });
    expect(started.status).toBe(201);
    let stored = 0;
    for (let i = 0; i < 20; i++) if ((await track(h, started.body.token, { action: "fill", data: { blob: "x".repeat(60_000) } })).status === 202) stored++;
    expect(stored).toBe(0);
    for (let i = 0; i < 40; i++) if ((await track(h, started.body.token, { action: "fill", data: { blob: "x".repeat(8_000) } })).status === 202) stored++;
    expect(stored).toBe(32); // 262,144 characters of data at ~8 KB each
  });
});

describe("start refuses data whose token nothing could use", () => {
  it("an 11 KB string: 400 naming data (it made a ~20,000-character token that verify refuses)", async () => {
    const h = await harness();
    const answer = await h.post("/v1/sessions/start", { ...SCOPE, data: { ...SEED_DATA, details: { email: "x".repeat(11_000) } } });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "data" });
  });

  it("data under the byte bound whose token would pass 8,192 characters: 400 naming data", async () => {
    const h = await harness();
    const answer = await h.post("/v1/sessions/start", { ...SCOPE, data: { ...SEED_DATA, details: { email: "x".repeat(6_000) } } });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "data" });
    expect(answer.body.error.message).toMatch(/8192/);
    const listed = await h.get("/v1/sessions", { ...SCOPE, status: "all" });
    expect(listed.body.total).toBe(0); // nothing stored
  });

  it("3 KB of data: the token fits, verifies, refreshes and rides in a header", async () => {
    const h = await harness();
    const started = await h.start({ ...SEED_DATA, details: { email: "x".repeat(3_000) } });
    expect(started.token.length).toBeLessThanOrEqual(8_192);
    expect((await h.post("/v1/sessions/verify", { ...SCOPE, token: started.token })).body.valid).toBe(true);
    const refreshed = await h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: started.refreshToken });
    expect(refreshed.status).toBe(200);
    expect((await track(h, refreshed.body.token, { action: "a" })).status).toBe(202);
  });
});

describe("X-Content-Type-Options: nosniff on JSON answers", () => {
  it("on successes, errors, the JWKS and the health check", async () => {
    const h = await harness();
    const started = await h.start();
    const answers = [
      await h.call("POST", "/v1/sessions/start", { ...SCOPE, data: SEED_DATA }),
      await h.call("POST", "/v1/sessions/verify", { ...SCOPE, token: started.token }),
      await h.call("POST", "/v1/sessions/start", { ...SCOPE, data: {} }),
      await h.call("GET", "/nowhere"),
      await h.call("GET", "/.well-known/jwks.json"),
      await h.call("GET", "/healthz"),
      await h.call("HEAD", "/healthz"),
      await h.call("POST", "/v1/sessions/verify", { ...SCOPE, token: started.token }, { key: "tsk_" + "A".repeat(40) }),
    ];
    expect(answers.map((a) => [a.status, a.headers.get("x-content-type-options")])).toEqual(
      [201, 200, 400, 404, 200, 200, 200, 401].map((status) => [status, "nosniff"]),
    );
  });
});
