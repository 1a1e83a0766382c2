/**
 * Activity events are written after the answer, in batches (src/server/stores/activity-queue.ts).
 * A crash loses the events still queued: this kills the endpoint with SIGKILL in the middle of
 * a load of starts and counts, in the SQLite file it leaves, sessions against their "create"
 * events. Every answered start is durable; at most MAX_PENDING_EVENTS events are missing.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { build } from "esbuild";
import { afterAll, expect, it } from "vitest";
import { generateSecret } from "../../src/server/index.js";
import { MAX_PENDING_EVENTS } from "../../src/server/stores/activity-queue.js";
import { SCOPE, SECRET_KEY, SEED_DATA, testKeys } from "../server/helpers.js";

const root = join(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "tessera-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("SIGKILL mid-load: every answered session is on disk, and missing activity stays within the bound", async () => {
  // Bundled into the repository's cache so its dependencies resolve from node_modules.
  const cache = join(root, "node_modules/.cache/tessera-test");
  mkdirSync(cache, { recursive: true });
  const entry = join(cache, `crash-server-${process.pid}.mjs`);
  await build({ entryPoints: [join(root, "test/reliability/fixtures/crash-server.ts")], outfile: entry, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "silent" });

  const db = join(dir, "sessions.db");
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, CRASH_KEYS: JSON.stringify(await testKeys()), CRASH_SECRET: generateSecret(), CRASH_DB: db, CRASH_ACCESS_KEY: SECRET_KEY },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const match = /listening (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once("exit", () => reject(new Error(`the server exited first: ${out}`)));
  });

  const body = JSON.stringify({ ...SCOPE, data: SEED_DATA });
  let answered = 0;
  let stop = false;
  let failure: unknown;
  const worker = async () => {
    while (!stop) {
      try {
        const response = await fetch(`${url}/v1/sessions/start`, {
          method: "POST",
          headers: { authorization: `Bearer ${SECRET_KEY}`, "content-type": "application/json" },
          body,
        });
        if (response.status === 201) answered++;
        else throw new Error(`start answered ${response.status}`);
        await response.arrayBuffer();
      } catch (error) {
        if (!stop && !/fetch failed|other side closed|ECONNRESET|ECONNREFUSED/.test(String((error as Error).cause ?? error))) failure ??= error;
        return; // the server is gone
      }
    }
  };
  const load = Promise.all(Array.from({ length: 16 }, worker));
  // Killed while requests are in flight, once a few hundred sessions have started.
  while (answered < 300 && failure === undefined) await new Promise((r) => setTimeout(r, 10));
  if (failure !== undefined) throw failure;
  child.kill("SIGKILL");
  await exited;
  stop = true;
  await load;

  const file = new Database(db, { readonly: true });
  const sessions = (file.prepare("SELECT count(*) AS n FROM tessera_sessions").get() as { n: number }).n;
  const events = (file.prepare("SELECT count(*) AS n FROM tessera_activity WHERE operation = 'create'").get() as { n: number }).n;
  const orphans = (file.prepare("SELECT count(*) AS n FROM tessera_activity a WHERE NOT EXISTS (SELECT 1 FROM tessera_sessions s WHERE s.id = a.session_id)").get() as { n: number }).n;
  file.close();
  console.log(`[activity-crash figures] ${answered} starts answered, ${sessions} sessions on disk, ${events} create events on disk, ${sessions - events} events lost (bound ${MAX_PENDING_EVENTS})`);
  expect(sessions).toBeGreaterThanOrEqual(answered);
  expect(orphans).toBe(0);
  expect(events).toBeLessThanOrEqual(sessions);
  expect(sessions - events).toBeLessThanOrEqual(MAX_PENDING_EVENTS);
  rmSync(entry, { force: true });
}, 60_000);
