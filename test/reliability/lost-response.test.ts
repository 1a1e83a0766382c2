/**
 * Issue 6 §4: a refresh (or start) whose answer is lost after the server acted on it. The
 * client's retry, inside the grace window, gets the very pair the rotation made: exactly one
 * rotation, no logout. Also the documented boundary: a client that comes back only after the
 * window presents a spent token, and the session ends (RFC 9700 §4.14.2 fails closed).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { SessionChange } from "../../src/index.js";
import { memoryStore } from "../../src/server/index.js";
import { closeClients, harness, harnessClient, SCOPE, SEED_DATA, type Harness } from "../server/helpers.js";

afterEach(closeClients);

async function setup() {
  const store = memoryStore();
  const h = await harness({ store });
  const answers: Array<{ path: string; status: number; body: any }> = [];
  const requests: Array<{ path: string; idempotencyKey: string | null }> = [];
  /** Paths whose next N answers are lost after the server handled the request. */
  const drop = new Map<string, number>();
  const changes: SessionChange[] = [];
  const tessera = harnessClient(h, {
    fetch: async (request) => {
      const path = new URL(request.url).pathname;
      requests.push({ path, idempotencyKey: request.headers.get("idempotency-key") });
      const response = await h.server.fetch(request);
      answers.push({ path, status: response.status, body: await response.clone().json() });
      const left = drop.get(path) ?? 0;
      if (left > 0) {
        drop.set(path, left - 1);
        throw new TypeError("fetch failed: socket hang up");
      }
      return response;
    },
  });
  tessera.sessions.onChange((c) => changes.push(c));
  const generation = async (sessionId: string) => (await store.getSession(sessionId))!.generation;
  const count = (path: string) => requests.filter((r) => r.path === path).length;
  return { h, store, tessera, answers, requests, drop, changes, generation, count };
}

const REFRESH = "/v1/sessions/refresh";

describe("the refresh answer lost after the server rotated", () => {
  it("the retry inside the grace window gets the same pair: one rotation, no logout", async () => {
    const t = await setup();
    const started = await t.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    t.h.clock.now += 14.5 * 60_000;
    t.drop.set(REFRESH, 1);
    const session = await t.tessera.sessions.get({ tag: "session-tag" });
    expect(t.count(REFRESH)).toBe(2);
    // The server rotated once and answered both attempts with the same pair.
    const [first, second] = t.answers.filter((a) => a.path === REFRESH);
    expect(first!.status).toBe(200);
    expect(second!.status).toBe(200);
    expect(second!.body).toEqual(first!.body);
    expect(await t.generation(started.sessionId)).toBe(1);
    expect(session!.refreshToken).toBe(first!.body.refreshToken);
    expect(t.changes.some((c) => c.type === "ended")).toBe(false);
    // The pair the client kept is the live one: it verifies and rotates again.
    expect((await t.h.post("/v1/sessions/verify", { ...SCOPE, token: session!.token })).body.valid).toBe(true);
    await t.tessera.sessions.refresh({ tag: "session-tag" });
    expect(await t.generation(started.sessionId)).toBe(2);
  });

  it("every attempt lost: the still-valid session is kept, and a later call within the window catches up", async () => {
    const t = await setup();
    const started = await t.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    t.h.clock.now += 14.5 * 60_000;
    t.drop.set(REFRESH, 10);
    const kept = await t.tessera.sessions.get({ tag: "session-tag" });
    expect(kept!.refreshToken).toBe(started.refreshToken); // not wiped (supabase-js #2145)
    expect(await t.generation(started.sessionId)).toBe(1);
    const lostPair = t.answers.find((a) => a.path === REFRESH)!.body;
    t.drop.clear();
    t.h.clock.now += 5_000; // back inside the 10 s window
    const caughtUp = await t.tessera.sessions.refresh({ tag: "session-tag" });
    expect(caughtUp.refreshToken).toBe(lostPair.refreshToken);
    expect(await t.generation(started.sessionId)).toBe(1);
    expect(t.changes.some((c) => c.type === "ended")).toBe(false);
  });

  it("boundary: back only after the window, the spent token ends the session (fails closed, documented)", async () => {
    const t = await setup();
    const started = await t.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    t.h.clock.now += 14.5 * 60_000;
    t.drop.set(REFRESH, 10);
    await t.tessera.sessions.get({ tag: "session-tag" });
    t.drop.clear();
    t.h.clock.now += 11_000;
    await expect(t.tessera.sessions.refresh({ tag: "session-tag" })).rejects.toMatchObject({ code: "REFRESH_REUSED" });
    expect(t.changes.some((c) => c.type === "ended" && c.reason === "reuse_detected")).toBe(true);
    expect((await t.store.getSession(started.sessionId))!.revokedAt).not.toBeNull();
  });
});

describe("the start answer lost after the server created the session", () => {
  it("the retry carries the same Idempotency-Key and gets the same session: nothing duplicated", async () => {
    const t = await setup();
    t.drop.set("/v1/sessions/start", 1);
    const started = await t.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    const attempts = t.requests.filter((r) => r.path === "/v1/sessions/start");
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.idempotencyKey).toMatch(/\S/);
    expect(attempts[1]!.idempotencyKey).toBe(attempts[0]!.idempotencyKey);
    const listed = await t.store.listSessions({ ...SCOPE, identifier: SEED_DATA.userId, activeOnly: false, now: t.h.clock.now, offset: 0, limit: 10 });
    expect(listed.total).toBe(1);
    expect(listed.sessions[0]!.id).toBe(started.sessionId);
    expect(t.answers.filter((a) => a.path === "/v1/sessions/start").map((a) => a.body.sessionId)).toEqual([started.sessionId, started.sessionId]);
  });
});

describe("two clients racing one refresh token (two tabs, no shared lock)", () => {
  it("both end with the same current pair and the session is not revoked", async () => {
    const h: Harness = await harness();
    const started = await h.start();
    const answers = await Promise.all(
      Array.from({ length: 2 }, () => h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: started.refreshToken })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers[0]!.body).toEqual(answers[1]!.body);
    expect((await h.post("/v1/sessions/verify", { ...SCOPE, token: answers[0]!.body.token })).body.valid).toBe(true);
  });
});
