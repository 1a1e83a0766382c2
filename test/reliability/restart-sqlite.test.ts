/**
 * Issue 6 §4: the endpoint restarted in the middle of a rotation, with the SQLite store on a
 * file and the client on a real loopback socket. The process "dies" (its socket and its
 * database handle closed) and a new process opens the same file on the same port before the
 * client's retry. Whether the rotation committed before the crash or not, the session is not
 * lost and it is rotated exactly once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JWK } from "jose";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { serveNode, type NodeServer } from "../../src/node/index.js";
import { createClient, type SessionChange, type TesseraClient } from "../../src/index.js";
import { memoryStorage } from "../../src/storage/index.js";
import { createSessionServer, generateSecret, sqliteStore, type SessionServer, type SessionStore } from "../../src/server/index.js";
import { PRODUCTS, SCOPE, SECRET_KEY, SEED_DATA, testKeys } from "../server/helpers.js";

let keys: JWK[];
beforeAll(async () => {
  keys = await testKeys();
});

interface Process {
  server: SessionServer;
  store: SessionStore & { close(): Promise<void> };
  http: NodeServer;
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function deployment() {
  const dir = mkdtempSync(join(tmpdir(), "tessera-restart-"));
  const file = join(dir, "sessions.db");
  const secret = generateSecret();
  const clock = { now: Date.UTC(2026, 0, 15, 12, 0, 0) };
  let current: Process | undefined;
  const errors: unknown[] = [];
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));

  async function boot(port = 0, wrap: (s: SessionStore & { close(): Promise<void> }) => SessionStore = (s) => s): Promise<Process> {
    const store = sqliteStore({ path: file });
    const server = createSessionServer({
      issuer: "http://127.0.0.1",
      keys,
      secret,
      store: wrap(store),
      products: PRODUCTS,
      accessKeys: { secret: [SECRET_KEY] },
      now: () => clock.now,
      onError: (e) => errors.push(e),
    });
    const http = await serveNode(server.fetch, { port });
    current = { server, store, http };
    return current;
  }
  /** Kills the running process (socket and database handle) and boots a new one on the same file and port. */
  async function restart(wrap?: (s: SessionStore & { close(): Promise<void> }) => SessionStore): Promise<Process> {
    const old = current!;
    await old.http.close();
    await old.store.close();
    return boot(old.http.port, wrap);
  }
  cleanup.push(async () => {
    await current?.http.close();
    await current?.store.close();
  });
  return { boot, restart, clock, errors, get current() { return current!; } };
}

function client(d: ReturnType<typeof deployment>, onRefresh: (request: Request) => Promise<Response>) {
  const changes: SessionChange[] = [];
  const tessera: TesseraClient = createClient({
    baseUrl: d.current.http.url,
    accessKey: SECRET_KEY,
    product: SCOPE.product,
    env: SCOPE.env,
    storage: memoryStorage(),
    now: () => d.clock.now,
    fetch: (request) => (new URL(request.url).pathname === "/v1/sessions/refresh" ? onRefresh(request) : fetch(request)),
  });
  tessera.sessions.onChange((c) => changes.push(c));
  cleanup.push(() => tessera.close());
  return { tessera, changes };
}

async function sessionRow(d: ReturnType<typeof deployment>, sessionId: string) {
  return (await d.current.store.getSession(sessionId))!;
}

describe("endpoint restarted mid-rotation (SQLite file)", () => {
  it("crash after the rotation committed, before the answer left: the retry on the new process gets the same pair", async () => {
    const d = deployment();
    await d.boot();
    let crashed = false;
    let lost: any;
    const { tessera, changes } = client(d, async (request) => {
      const response = await fetch(request);
      if (!crashed) {
        crashed = true;
        lost = await response.json(); // what the first process answered, never delivered
        await d.restart();
        throw new TypeError("fetch failed: socket hang up");
      }
      return response;
    });
    const started = await tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    d.clock.now += 14.5 * 60_000;
    const session = await tessera.sessions.get({ tag: "session-tag" });
    expect(crashed).toBe(true);
    expect(lost.sessionId).toBe(started.sessionId);
    expect(session!.refreshToken).toBe(lost.refreshToken);
    expect(session!.token).toBe(lost.token);
    const row = await sessionRow(d, started.sessionId);
    expect(row.generation).toBe(1);
    expect(row.revokedAt).toBeNull();
    expect(changes.some((c) => c.type === "ended")).toBe(false);
    // The new process verifies the pair and rotates it on.
    expect(await tessera.sessions.verify({ tag: "session-tag" })).toMatchObject({ valid: true, sessionId: started.sessionId });
    await tessera.sessions.refresh({ tag: "session-tag" });
    expect((await sessionRow(d, started.sessionId)).generation).toBe(2);
    expect(d.errors).toEqual([]);
  });

  it("crash before the rotation committed: the first process answers nothing useful, the new one rotates once", async () => {
    const d = deployment();
    // The first process dies inside rotateRefresh, before its transaction runs.
    await d.boot(0, (store) => ({
      ...store,
      async rotateRefresh() {
        await store.close();
        throw new Error("process killed before commit");
      },
    }));
    let restarted = false;
    const { tessera, changes } = client(d, async (request) => {
      const response = await fetch(request);
      if (!restarted) {
        restarted = true;
        expect(response.status).toBe(500); // the dying process's generic error (retryable)
        await d.restart();
        throw new TypeError("fetch failed: connection reset");
      }
      return response;
    });
    const started = await tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    expect((await sessionRow(d, started.sessionId)).generation).toBe(0);
    d.clock.now += 14.5 * 60_000;
    const session = await tessera.sessions.get({ tag: "session-tag" });
    expect(restarted).toBe(true);
    expect(session!.refreshToken).not.toBe(started.refreshToken);
    const row = await sessionRow(d, started.sessionId);
    expect(row.generation).toBe(1);
    expect(row.revokedAt).toBeNull();
    expect(changes.some((c) => c.type === "ended")).toBe(false);
    expect(await tessera.sessions.verify({ tag: "session-tag" })).toMatchObject({ valid: true });
  });

  it("100 sessions, a restart between every rotation and its retry: none lost, each rotated exactly once", async () => {
    const d = deployment();
    await d.boot();
    const once = (path: string, body: unknown) =>
      fetch(`${d.current.http.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${SECRET_KEY}`, "content-type": "application/json" }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));
    // A pooled keep-alive socket to the dead process fails once, as it would for any client.
    const call = (path: string, body: unknown) => once(path, body).catch((error) => (error instanceof TypeError ? once(path, body) : Promise.reject(error)));
    const started = await Promise.all(Array.from({ length: 100 }, (_, i) => call("/v1/sessions/start", { ...SCOPE, data: { ...SEED_DATA, userId: `u${i}` } })));
    expect(new Set(started.map((s) => s.body.sessionId)).size).toBe(100);
    const first = await Promise.all(started.map((s) => call("/v1/sessions/refresh", { ...SCOPE, refreshToken: s.body.refreshToken })));
    await d.restart();
    const retried = await Promise.all(started.map((s) => call("/v1/sessions/refresh", { ...SCOPE, refreshToken: s.body.refreshToken })));
    for (let i = 0; i < 100; i++) {
      expect(first[i]!.status).toBe(200);
      expect(retried[i]!.body).toEqual(first[i]!.body);
      const row = await sessionRow(d, started[i]!.body.sessionId);
      expect(row.generation).toBe(1);
      expect(row.revokedAt).toBeNull();
    }
    const listed = await d.current.store.listSessions({ ...SCOPE, activeOnly: true, now: d.clock.now, offset: 0, limit: 1000 });
    expect(listed.total).toBe(100);
  });
});
