/**
 * Issue 6 §4: timeouts and 5xx answers with Retry-After. A refresh that timed out after the
 * server rotated is retried into the grace window (same pair); a hung endpoint costs at most
 * (retries + 1) timeouts and keeps a still-valid session; Retry-After is honoured, and bounded
 * so a server (or a proxy) cannot park a client for an hour; calls that are not safe to
 * repeat are never retried.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { SessionChange } from "../../src/index.js";
import { memoryStore } from "../../src/server/index.js";
import { closeClients, harness, harnessClient, SCOPE, SEED_DATA } from "../server/helpers.js";

afterEach(closeClients);

type Fault = { kind: "delay"; ms: number } | { kind: "hang" } | { kind: "status"; status: number; retryAfter?: string };

async function setup(options: { timeout?: number; retries?: number } = {}) {
  const store = memoryStore();
  const h = await harness({ store });
  const faults = new Map<string, Fault[]>();
  const attempts: Array<{ path: string; at: number; idempotencyKey: string | null }> = [];
  const changes: SessionChange[] = [];
  const tessera = harnessClient(h, {
    ...options,
    fetch: async (request) => {
      const path = new URL(request.url).pathname;
      attempts.push({ path, at: performance.now(), idempotencyKey: request.headers.get("idempotency-key") });
      const fault = faults.get(path)?.shift();
      if (fault?.kind === "status") {
        const headers: Record<string, string> = { "content-type": "application/json", ...(fault.retryAfter ? { "retry-after": fault.retryAfter } : {}) };
        return new Response(JSON.stringify({ error: { code: "INTERNAL", message: "internal error" } }), { status: fault.status, headers });
      }
      // The server acts on the request in every other case; only the answer is late or never comes.
      const response = await h.server.fetch(request);
      if (fault?.kind === "hang") {
        return new Promise<Response>((_resolve, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason)));
      }
      if (fault?.kind === "delay") {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, fault.ms);
          request.signal.addEventListener("abort", () => (clearTimeout(timer), reject(request.signal.reason)));
        });
      }
      return response;
    },
  });
  tessera.sessions.onChange((c) => changes.push(c));
  const inject = (path: string, ...list: Fault[]) => faults.set(path, [...(faults.get(path) ?? []), ...list]);
  const count = (path: string) => attempts.filter((a) => a.path === path).length;
  return { h, store, tessera, inject, attempts, changes, count };
}

const REFRESH = "/v1/sessions/refresh";
const time = async <T>(work: () => Promise<T>) => {
  const started = performance.now();
  const result = await work().then((value) => ({ value }), (error: unknown) => ({ error }));
  return { ...result, ms: performance.now() - started };
};

describe("timeouts", () => {
  it("a refresh answered after the client gave up: the retry gets the pair the server already made", async () => {
    const t = await setup({ timeout: 150 });
    const started = await t.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    t.h.clock.now += 14.5 * 60_000;
    t.inject(REFRESH, { kind: "delay", ms: 1_000 });
    const session = await t.tessera.sessions.get({ tag: "session-tag" });
    expect(t.count(REFRESH)).toBe(2);
    expect((await t.store.getSession(started.sessionId))!.generation).toBe(1);
    expect(session!.refreshToken).not.toBe(started.refreshToken);
    expect((await t.h.post("/v1/sessions/verify", { ...SCOPE, token: session!.token })).body.valid).toBe(true);
    expect(t.changes.some((c) => c.type === "ended")).toBe(false);
  });

  it("an endpoint that never answers: bounded by (retries + 1) timeouts, TIMEOUT, the valid session kept", async () => {
    const t = await setup({ timeout: 200, retries: 2 });
    const started = await t.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    t.h.clock.now += 14.5 * 60_000;
    t.inject(REFRESH, { kind: "hang" }, { kind: "hang" }, { kind: "hang" });
    const explicit = await time(() => t.tessera.sessions.refresh({ tag: "session-tag" }));
    expect((explicit as { error?: unknown }).error).toMatchObject({ code: "TIMEOUT" });
    expect(t.count(REFRESH)).toBe(3);
    // 3 x 200 ms plus back-off (about 200 + 400 ms, jittered): well under 3 s.
    expect(explicit.ms).toBeGreaterThanOrEqual(600);
    expect(explicit.ms).toBeLessThan(3_000);
    // The session is still there and still valid (the token has 30 s left).
    const kept = await t.tessera.sessions.get({ tag: "session-tag" });
    expect(kept).not.toBeNull();
    expect(t.changes.some((c) => c.type === "ended")).toBe(false);
    expect(started.sessionId).toBe(kept!.sessionId);
  });

  it("verify is not retried: one attempt, TIMEOUT after one timeout", async () => {
    const t = await setup({ timeout: 150 });
    const started = await t.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    t.inject("/v1/sessions/verify", { kind: "hang" });
    const answer = await time(() => t.tessera.sessions.verify({ tag: "session-tag", token: started.token }));
    expect((answer as { error?: unknown }).error).toMatchObject({ code: "TIMEOUT" });
    expect(t.count("/v1/sessions/verify")).toBe(1);
    expect(answer.ms).toBeLessThan(1_000);
  });
});

describe("5xx and 429 with Retry-After", () => {
  it("503 Retry-After: 1 — the client waits about a second, then succeeds", async () => {
    const t = await setup();
    const started = await t.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    t.inject(REFRESH, { kind: "status", status: 503, retryAfter: "1" });
    const answer = await time(() => t.tessera.sessions.refresh({ tag: "session-tag" }));
    expect((answer as { value?: { sessionId: string } }).value?.sessionId).toBe(started.sessionId);
    const [first, second] = t.attempts.filter((a) => a.path === REFRESH);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(second!.at - first!.at).toBeLessThan(2_500);
  });

  it("429 with an HTTP-date Retry-After two seconds ahead is honoured too", async () => {
    const t = await setup();
    await t.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    t.inject(REFRESH, { kind: "status", status: 429, retryAfter: new Date(Date.now() + 2_000).toUTCString() });
    await t.tessera.sessions.refresh({ tag: "session-tag" });
    const [first, second] = t.attempts.filter((a) => a.path === REFRESH);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900); // HTTP dates have 1 s resolution
  });

  it("Retry-After: 3600 does not park the client for an hour: bounded, then a retryable error or a capped wait", async () => {
    const t = await setup({ retries: 1 });
    await t.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    t.inject(REFRESH, { kind: "status", status: 503, retryAfter: "3600" }, { kind: "status", status: 503, retryAfter: "3600" });
    const answer = await Promise.race([
      time(() => t.tessera.sessions.refresh({ tag: "session-tag" })),
      new Promise<"parked">((resolve) => setTimeout(() => resolve("parked"), 15_000)),
    ]);
    expect(answer).not.toBe("parked");
    const { error, ms } = answer as { error?: unknown; ms: number };
    // The endpoint's own error body (code INTERNAL) with the 503 it came with, after a bounded wait.
    expect(error).toMatchObject({ code: "INTERNAL", status: 503 });
    expect(ms).toBeLessThan(10_000);
    expect(t.count(REFRESH)).toBe(2);
    // And the session survives: a 503 is not the server's word about the session.
    expect(await t.tessera.sessions.get({ tag: "session-tag" })).not.toBeNull();
  }, 20_000);

  it("a 5xx on start is retried with the same Idempotency-Key: exactly one session", async () => {
    const t = await setup();
    t.inject("/v1/sessions/start", { kind: "status", status: 502 }, { kind: "status", status: 503, retryAfter: "0" });
    const started = await t.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    const keys = t.attempts.filter((a) => a.path === "/v1/sessions/start").map((a) => a.idempotencyKey);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    const listed = await t.store.listSessions({ ...SCOPE, activeOnly: false, now: t.h.clock.now, offset: 0, limit: 10 });
    expect(listed.sessions.map((s) => s.id)).toEqual([started.sessionId]);
  });

  it("revoke, revokeAll, verify and listActive are never retried on a 503", async () => {
    const t = await setup();
    const started = await t.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    for (const path of ["/v1/sessions/verify", "/v1/sessions/revoke", "/v1/sessions/revoke-all", "/v1/sessions"]) {
      t.inject(path, { kind: "status", status: 503, retryAfter: "0" });
    }
    await expect(t.tessera.sessions.verify({ tag: "session-tag", token: started.token })).rejects.toMatchObject({ status: 503 });
    await expect(t.tessera.sessions.revoke({ tag: "session-tag", sessionId: started.sessionId })).rejects.toMatchObject({ status: 503 });
    await expect(t.tessera.sessions.revokeAll({ tag: "session-tag", identifier: SEED_DATA.userId })).rejects.toMatchObject({ status: 503 });
    await expect(t.tessera.sessions.listActive({ tag: "session-tag" })).rejects.toMatchObject({ status: 503 });
    for (const path of ["/v1/sessions/verify", "/v1/sessions/revoke", "/v1/sessions/revoke-all", "/v1/sessions"]) expect(t.count(path), path).toBe(1);
  });

  it("a 500 from the endpoint during a background refresh keeps the session (retryable, not authoritative)", async () => {
    const t = await setup({ retries: 0 });
    const started = await t.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    t.h.clock.now += 14.5 * 60_000;
    t.inject(REFRESH, { kind: "status", status: 500 });
    const kept = await t.tessera.sessions.get({ tag: "session-tag" });
    expect(kept!.refreshToken).toBe(started.refreshToken);
    expect(t.changes.some((c) => c.type === "ended")).toBe(false);
    // Back-off: the next get inside it does not hammer the endpoint.
    await t.tessera.sessions.get({ tag: "session-tag" });
    expect(t.count(REFRESH)).toBe(1);
  });
});
