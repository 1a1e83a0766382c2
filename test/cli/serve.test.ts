import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgServer, type PgServer } from "../runtimes/postgres/pg-server.js";
import { startLoad } from "./load.js";
import { runCli, ensureBuilt, tempDir } from "./spawn-dev.js";
import { serveFolder, startServe, type ServeProcess } from "./spawn-serve.js";

// `tessera serve` as a real process (dist/cli.js): SIGTERM under load against SQLite and
// PostgreSQL. Every request written before the signal must get a complete answer, and every
// session answered 201 must be in the store when the server comes back.
beforeAll(ensureBuilt, 120_000);

let pg: PgServer;
beforeAll(async () => {
  pg = await pgServer();
  if (!pg.url && process.env.CI) throw new Error(`PostgreSQL is required in CI: ${pg.reason}`);
}, 60_000);
afterAll(() => pg?.stop());

const running: ServeProcess[] = [];
afterAll(() => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill("SIGKILL");
});

async function serve(args: string[], dir: string, env: NodeJS.ProcessEnv = {}) {
  const process = await startServe(args, dir, env);
  running.push(process);
  return process;
}

async function activeSessions(url: string, secretKey: string, scope: Record<string, string>): Promise<number> {
  const query = new URLSearchParams({ ...scope, limit: "1" });
  const response = await fetch(`${url}/v1/sessions?${query}`, { headers: { authorization: `Bearer ${secretKey}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { total: number }).total;
}

/** Load, SIGTERM mid-load, then the checks; returns what the log said so callers can add their own. */
async function sigtermUnderLoad(store: string, extraArgs: string[] = []) {
  const dir = tempDir("tessera-serve-");
  const { secretKey, scope } = await serveFolder(dir);
  const args = ["--keys", "keys.json", "--store", store, "--port", "0", ...extraArgs];
  const first = await serve(args, dir);

  let killedAt = Infinity;
  const load = startLoad(first.url, secretKey, scope, 16, () => performance.now() > killedAt + 800);
  // Load for a while first (the machine may be busy: wait for answers, not for a fixed time).
  const warm = performance.now();
  while (load.answered() < 60 && performance.now() - warm < 8_000) await new Promise((r) => setTimeout(r, 50));
  killedAt = performance.now();
  first.child.kill("SIGTERM");
  const [sent, code] = await Promise.all([load.done, first.exited]);

  const before = sent.filter((s) => s.sentAt < killedAt);
  expect(before.length).toBeGreaterThanOrEqual(60);
  const incomplete = before.filter((s) => s.status !== 201 || !s.body?.sessionId);
  expect(incomplete, JSON.stringify(incomplete.slice(0, 3))).toEqual([]);
  expect(code).toBe(0);
  expect(first.stdout()).toMatch(/"msg":"stopped"/);

  const started = sent.filter((s) => s.status === 201).map((s) => s.body!.sessionId!);
  expect(new Set(started).size).toBe(started.length);
  const second = await serve(args, dir);
  expect(await activeSessions(second.url, secretKey, scope)).toBe(started.length);
  second.child.kill("SIGTERM");
  expect(await second.exited).toBe(0);
  return { sent, killedAt, stdout: first.stdout() + second.stdout(), secretKey };
}

describe("tessera serve", () => {
  it("SQLite: SIGTERM under load loses nothing in flight; logs hold no token, key or identifier", async () => {
    const { sent, killedAt, stdout, secretKey } = await sigtermUnderLoad("sqlite:./sessions.db");
    // The signal arrived while requests were being answered (else the test proves little).
    expect(sent.filter((s) => s.sentAt < killedAt && s.status === 201).length).toBeGreaterThan(0);
    const lines = stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((l) => l.msg === "request" && l.route === "/v1/sessions/start").length).toBeGreaterThanOrEqual(60);
    for (const s of sent.slice(0, 50)) {
      if (s.body?.token) expect(stdout).not.toContain(s.body.token.split(".")[2]);
    }
    expect(stdout).not.toContain(secretKey);
    expect(stdout).not.toMatch(/user-\d/);
  }, 45_000);

  it("PostgreSQL: SIGTERM under load loses nothing in flight", async (context) => {
    if (!pg.url) return context.skip(`PostgreSQL not available: ${pg.reason}`);
    await sigtermUnderLoad(pg.url);
  }, 45_000);

  it("--workers 2: two processes serve one port and all stop cleanly on SIGTERM", async () => {
    await sigtermUnderLoad("sqlite:./sessions.db", ["--workers", "2"]).then(({ stdout }) => {
      const pids = new Set(
        stdout.trim().split("\n").map((line) => JSON.parse(line) as { msg: string; pid: number }).filter((l) => l.msg === "request").map((l) => l.pid),
      );
      expect(pids.size).toBeGreaterThanOrEqual(2);
    });
  }, 45_000);

  it("--workers 2: a worker killed with SIGKILL is logged and replaced, and the port keeps answering", async () => {
    const dir = tempDir("tessera-serve-");
    const { secretKey, scope } = await serveFolder(dir);
    const server = await serve(["--keys", "keys.json", "--store", "sqlite:./sessions.db", "--port", "0", "--workers", "2"], dir);
    const lines = () => server.stdout().trim().split("\n").map((line) => JSON.parse(line) as { msg: string; pid: number; [field: string]: unknown });
    // Each worker logs the store it opened (with its driver) before it listens.
    const workers = () => lines().filter((l) => l.msg === "store").map((l) => l.pid);
    expect(workers()).toHaveLength(2);
    expect(lines().find((l) => l.msg === "store")!.store).toBe("SQLite (better-sqlite3), ./sessions.db");
    const [victim] = workers() as [number];
    process.kill(victim, "SIGKILL");

    await expect.poll(() => lines().find((l) => l.msg === "worker exited; replacing it"), { timeout: 10_000 })
      .toMatchObject({ level: "error", workerPid: victim, signal: "SIGKILL" });
    const start = () => fetch(`${server.url}/v1/sessions/start`, {
      // A new connection each: node:cluster spreads connections, not requests.
      method: "POST", headers: { authorization: `Bearer ${secretKey}`, "content-type": "application/json", connection: "close" },
      body: JSON.stringify({ ...scope, data: { userId: "u1" } }),
    }).then((response) => response.status);
    expect(await Promise.all(Array.from({ length: 8 }, start))).toEqual(Array(8).fill(201));
    await expect.poll(() => workers().length, { timeout: 10_000 }).toBe(3);
    const replacement = workers()[2]!;
    // The replacement serves too: round-robin reaches it.
    await expect.poll(async () => {
      await Promise.all(Array.from({ length: 4 }, start));
      return lines().some((l) => l.msg === "request" && l.pid === replacement);
    }, { timeout: 10_000 }).toBe(true);

    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(lines().filter((l) => l.msg === "stopped").map((l) => l.pid).sort()).toEqual(workers().filter((pid) => pid !== victim).sort());
  }, 45_000);

  it("answers /healthz and /readyz (with a store round trip); keys from the environment", async () => {
    const dir = tempDir("tessera-serve-");
    const { keys } = await serveFolder(dir);
    const server = await serve(["--store", "memory:", "--port", "0"], dir, keys);
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true });
    const ready = await fetch(`${server.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { ready: true }]);
    // Identifiers in paths are logged as the route's pattern.
    await fetch(`${server.url}/v1/users/alice%40example.com/activity`);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(server.stdout()).toContain('"route":"/v1/users/:identifier/activity"');
    expect(server.stdout()).not.toContain("alice");
  });

  it("refuses a config without issuer, a keys file with unknown fields, a bad store URL, naming no secret", async () => {
    const dir = tempDir("tessera-serve-");
    const { keys } = await serveFolder(dir);
    const config = JSON.parse(readFileSync(join(dir, "tessera.config.json"), "utf8"));
    writeFileSync(join(dir, "no-issuer.json"), JSON.stringify({ products: config.products }));
    const noIssuer = await runCli(["serve", "--config", "no-issuer.json", "--keys", "keys.json", "--port", "0"], dir);
    expect([noIssuer.code, noIssuer.stderr]).toEqual([1, expect.stringContaining('"issuer" is required')]);

    writeFileSync(join(dir, "extra.json"), JSON.stringify({ ...keys, TESSERA_SECERT: "typo" }), { mode: 0o600 });
    const extra = await runCli(["serve", "--keys", "extra.json", "--port", "0"], dir);
    expect([extra.code, extra.stderr]).toEqual([1, expect.stringContaining('unknown field "TESSERA_SECERT"')]);

    const badStore = await runCli(["serve", "--keys", "keys.json", "--store", "mysql://root:hunter2@db/x", "--port", "0"], dir);
    expect(badStore.code).toBe(1);
    expect(badStore.stderr).toContain("--store must be");
    expect(badStore.stderr).not.toContain("hunter2");

    const noKeys = await runCli(["serve", "--port", "0"], dir);
    expect([noKeys.code, noKeys.stderr]).toEqual([1, expect.stringContaining("TESSERA_SIGNING_KEYS")]);
    expect(noKeys.stderr).not.toContain(keys.TESSERA_SECRET);
  });
});
