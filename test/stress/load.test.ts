/**
 * Issue 6 §5, bounded load on loopback (`npm run test:stress`): the real endpoint on a socket
 * (serveNode) with the SQLite store on a file, driven by plain fetch.
 *  - 10,000 starts, 200 in flight: every one answered, no session lost or duplicated;
 *  - 1,000 concurrent refreshes over 100 sessions (10 racing per session), five generations in
 *    a row: exactly one rotation per session per generation, every racer gets that pair;
 *  - the JS heap after a collection stays within a bound of where it started.
 * Each phase prints its figures (RELIABILITY.md quotes them).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveNode, type NodeServer } from "../../src/node/index.js";
import { createSessionServer, generateAccessKey, generateSecret, generateSigningKey, sqliteStore } from "../../src/server/index.js";

const STARTS = 10_000;
const START_CONCURRENCY = 200;
const SESSIONS = 100;
const RACERS = 10; // 100 x 10 = 1,000 concurrent refreshes
const GENERATIONS = 5;
const HEAP_BOUND_MB = 64;
// 1,000 concurrent sockets make the heap swing by ~8 MB between rounds (measured); a leak of 1 KB per
// request would add 15 MB a round.
const SOAK_BOUND_MB = 16;

const SCOPE = { product: "load", env: "prd", tag: "user" };
const SECRET_KEY = generateAccessKey("secret");
const dir = mkdtempSync(join(tmpdir(), "tessera-stress-"));
const store = sqliteStore({ path: join(dir, "sessions.db") });
const errors: unknown[] = [];
let http: NodeServer;
let server: ReturnType<typeof createSessionServer>;
const figures: Record<string, unknown> = {};

const gc = (globalThis as { gc?: () => void }).gc;
function heapMB(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${http.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${SECRET_KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** The token's jti and the IV of its data JWE: both must never repeat (random-pool.ts hands out bytes once). */
function nonces(token: string): { jti: string; iv: string } {
  const payload = JSON.parse(Buffer.from(token.slice(token.indexOf(":") + 1).split(".")[1]!, "base64url").toString()) as { jti: string; dat: string };
  return { jti: payload.jti, iv: payload.dat.split(".")[2]! };
}

/** Runs `count` tasks with at most `limit` in flight. */
async function pool<T>(count: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  }));
  return results;
}

beforeAll(async () => {
  server = createSessionServer({
    issuer: "http://127.0.0.1",
    keys: [await generateSigningKey()],
    secret: generateSecret(),
    store,
    products: [{ tag: SCOPE.product, envs: [SCOPE.env], sessions: [{ tag: SCOPE.tag, schema: { userId: "string", plan: "string" }, selector: "$Session{userId}", expiry: 15, period: "mins" }] }],
    accessKeys: { secret: [SECRET_KEY] },
    onError: (e) => errors.push(e),
  });
  http = await serveNode(server.fetch);
});

afterAll(async () => {
  await http?.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`[stress figures] ${JSON.stringify(figures)}`);
});

describe("load on loopback (SQLite file store)", () => {
  let sessions: Array<{ token: string; refreshToken: string; sessionId: string }> = [];
  let heapBefore = 0;

  it(`${STARTS} starts, ${START_CONCURRENCY} in flight: none lost, none duplicated`, async () => {
    // Warm up (JIT, statement cache, connection pool) before the heap baseline.
    await pool(200, 50, (i) => post("/v1/sessions/start", { ...SCOPE, data: { userId: `warm-${i}`, plan: "w" } }));
    heapBefore = heapMB();
    const started = performance.now();
    const answers = await pool(STARTS, START_CONCURRENCY, (i) => post("/v1/sessions/start", { ...SCOPE, data: { userId: `u${i % 1000}`, plan: "pro" } }));
    const ms = performance.now() - started;
    const statuses = new Map<number, number>();
    for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    expect(Object.fromEntries(statuses)).toEqual({ 201: STARTS });
    expect(new Set(answers.map((a) => a.body.sessionId)).size).toBe(STARTS);
    expect(new Set(answers.map((a) => a.body.refreshToken)).size).toBe(STARTS);
    // No AES-GCM IV and no jti repeats across 10,000 sessions (an IV reuse under one key breaks GCM).
    const drawn = answers.map((a) => nonces(a.body.token));
    expect(new Set(drawn.map((n) => n.iv)).size).toBe(STARTS);
    expect(new Set(drawn.map((n) => n.jti)).size).toBe(STARTS);
    // The store holds exactly these sessions: 1,000 users with 10 each.
    const listed = await store.listSessions({ ...SCOPE, activeOnly: true, now: Date.now(), offset: 0, limit: 1 });
    expect(listed.total).toBe(STARTS + 200);
    await server.flush();
    const users = await store.listUsers({ scopes: [{ product: SCOPE.product, env: SCOPE.env }], tag: SCOPE.tag, now: Date.now(), offset: 0, limit: 1000, scanLimit: 10_000 });
    expect(users.total).toBe(1000 + 200);
    expect(users.users.filter((u) => u.identifier.startsWith("u")).every((u) => u.totalSessions === 10 && u.activeSessions === 10)).toBe(true);
    sessions = answers.slice(0, SESSIONS).map((a) => a.body);
    figures.starts = { count: STARTS, concurrency: START_CONCURRENCY, ms: Math.round(ms), perSecond: Math.round((STARTS / ms) * 1000), lost: 0, duplicated: 0, repeatedIvOrJti: 0 };
  });

  it(`${SESSIONS * RACERS} concurrent refreshes over ${SESSIONS} sessions, ${GENERATIONS} generations: one rotation per generation`, async () => {
    const timings: number[] = [];
    const jtis = new Set<string>();
    for (let generation = 1; generation <= GENERATIONS; generation++) {
      const started = performance.now();
      const answers = await Promise.all(
        sessions.flatMap((s) => Array.from({ length: RACERS }, () => post("/v1/sessions/refresh", { ...SCOPE, refreshToken: s.refreshToken }))),
      );
      timings.push(Math.round(performance.now() - started));
      for (let i = 0; i < SESSIONS; i++) {
        const racers = answers.slice(i * RACERS, (i + 1) * RACERS);
        // Every racer got 200 and the very same pair (the rotation's, or the grace answer of it).
        expect(racers.map((r) => r.status)).toEqual(Array(RACERS).fill(200));
        expect(new Set(racers.map((r) => r.body.refreshToken)).size).toBe(1);
        expect(racers[0]!.body.sessionId).toBe(sessions[i]!.sessionId);
        const row = await store.getSession(sessions[i]!.sessionId);
        expect(row!.generation).toBe(generation);
        expect(row!.revokedAt).toBeNull();
        sessions[i] = racers[0]!.body;
        jtis.add(nonces(racers[0]!.body.token).jti);
      }
    }
    expect(jtis.size).toBe(SESSIONS * GENERATIONS);
    // Exactly one "rotated" entry per session per generation in the activity log (written after
    // the answers: flushed before reading the store directly).
    await server.flush();
    for (const s of sessions.slice(0, 10)) {
      const row = await store.getSession(s.sessionId);
      const activity = await store.listActivity({ identifier: row!.identifier, scopes: [{ product: SCOPE.product, env: SCOPE.env }], offset: 0, limit: 10_000 });
      const rotations = activity.events.filter((e) => e.sessionId === s.sessionId && e.message.startsWith("rotated to generation"));
      expect(rotations.map((e) => e.message)).toEqual(Array.from({ length: GENERATIONS }, (_, g) => `rotated to generation ${g + 1}`));
    }
    // Every final token verifies.
    const verified = await pool(SESSIONS, 50, (i) => post("/v1/sessions/verify", { ...SCOPE, token: sessions[i]!.token }));
    expect(verified.every((v) => v.body.valid === true)).toBe(true);
    figures.refreshes = { concurrent: SESSIONS * RACERS, sessions: SESSIONS, generations: GENERATIONS, msPerGeneration: timings, rotationsPerGeneration: 1, lost: 0 };
  });

  it(`memory is flat: a second round of the same load adds less than ${SOAK_BOUND_MB} MB, the total stays under ${HEAP_BOUND_MB} MB`, async () => {
    expect(gc, "run with --expose-gc (vitest.stress.config.ts does)").toBeTypeOf("function");
    const afterFirst = heapMB();
    // The same load again: caches and pools are warm now, so whatever still grows is a leak.
    await pool(STARTS, START_CONCURRENCY, (i) => post("/v1/sessions/start", { ...SCOPE, data: { userId: `v${i % 1000}`, plan: "pro" } }));
    for (let generation = 1; generation <= GENERATIONS; generation++) {
      const answers = await Promise.all(sessions.flatMap((s) => Array.from({ length: RACERS }, () => post("/v1/sessions/refresh", { ...SCOPE, refreshToken: s.refreshToken }))));
      for (let i = 0; i < SESSIONS; i++) sessions[i] = answers[i * RACERS]!.body;
    }
    const afterSecond = heapMB();
    const round = (mb: number) => Math.round(mb * 10) / 10;
    figures.heapMB = { beforeLoad: round(heapBefore), afterFirstRound: round(afterFirst), afterSecondRound: round(afterSecond), soakBound: SOAK_BOUND_MB, totalBound: HEAP_BOUND_MB };
    expect(afterSecond - afterFirst).toBeLessThan(SOAK_BOUND_MB);
    expect(afterSecond - heapBefore).toBeLessThan(HEAP_BOUND_MB);
    expect((await store.getSession(sessions[0]!.sessionId))!.generation).toBe(2 * GENERATIONS);
    expect(errors).toEqual([]);
  });
});
