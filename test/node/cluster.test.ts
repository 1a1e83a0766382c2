import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// serveNode({ workers: 2 }) as a real cluster (a primary and two forked workers): a worker that
// dies is logged and replaced, a crash loop is bounded, SIGTERM stops the workers first.
const root = join(import.meta.dirname, "../..");
let entry: string;
beforeAll(async () => {
  // Bundled into the repository's cache so its imports resolve; the workers run this same file.
  const cache = join(root, "node_modules/.cache/tessera-test");
  mkdirSync(cache, { recursive: true });
  entry = join(cache, `cluster-server-${process.pid}.mjs`);
  await build({ entryPoints: [join(root, "test/node/fixtures/cluster-server.ts")], outfile: entry, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "silent" });
});

interface Line { message: string; [field: string]: unknown }
interface Primary { child: ChildProcess; url: string; lines: () => Line[]; exited: Promise<number | null> }
const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

function startPrimary(env: Record<string, string> = {}): Promise<Primary> {
  const child = spawn(process.execPath, [entry], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  started.push(child);
  let out = "";
  const lines = () => out.split("\n").filter(Boolean).map((line) => JSON.parse(line) as Line);
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const url = lines().find((l) => l.message === "listening")?.url;
      if (typeof url === "string") resolve({ child, url, lines, exited });
    });
    void exited.then((code) => reject(new Error(`the primary exited with ${code} before listening: ${out}`)));
  });
}

const pidOf = async (url: string) => Number(await (await fetch(url, { headers: { connection: "close" } })).text());

/** Asks until `count` different workers answered (connections go round-robin). */
async function workerPids(url: string, count: number): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < 50 && pids.size < count; i++) pids.add(await pidOf(url));
  return pids;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("serveNode({ workers: 2 })", () => {
  it("replaces a worker killed with SIGKILL and logs it; SIGTERM to the primary stops both workers, exit 0", async () => {
    const primary = await startPrimary();
    const before = await workerPids(primary.url, 2);
    expect(before.size).toBe(2);
    const [victim, survivor] = [...before] as [number, number];
    process.kill(victim, "SIGKILL");

    await expect.poll(() => primary.lines().find((l) => l.message === "worker exited; replacing it"), { timeout: 10_000 })
      .toMatchObject({ level: "error", workerPid: victim, signal: "SIGKILL" });
    // The port answers on (the survivor), and the replacement joins it.
    for (let i = 0; i < 6; i++) expect(await pidOf(primary.url)).toBeGreaterThan(0);
    await expect.poll(async () => {
      const pids = await workerPids(primary.url, 2);
      return pids.size === 2 && pids.has(survivor) && !pids.has(victim);
    }, { timeout: 10_000 }).toBe(true);
    const after = await workerPids(primary.url, 2);

    primary.child.kill("SIGTERM");
    expect(await primary.exited).toBe(0);
    expect(primary.lines().find((l) => l.message === "signal")).toMatchObject({ signal: "SIGTERM" });
    for (const pid of after) expect(alive(pid), `worker ${pid}`).toBe(false);
  }, 30_000);

  it("stops replacing after maxRestarts exits within the window: the primary stops and exits 1", async () => {
    const primary = await startPrimary({ MAX_RESTARTS: "1" });
    await fetch(`${primary.url}/exit`).catch(() => {});
    await expect.poll(() => primary.lines().filter((l) => l.message === "worker exited; replacing it").length, { timeout: 10_000 }).toBe(1);
    await fetch(`${primary.url}/exit`).catch(() => {});
    expect(await primary.exited).toBe(1);
    expect(primary.lines().find((l) => l.message === "workers keep exiting; stopping")).toMatchObject({ level: "error", code: 3, exits: 2 });
  }, 30_000);
});
