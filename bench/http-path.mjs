// Issue 11 part 1 and 4: what the HTTP path costs on top of the endpoint, in one run.
//   - in-process CPU per start (server.fetch, sqliteStore, 8 in flight): the reference
//   - `tessera dev` (SQLite, request log) over HTTP: CPU per start, and its ratio to the reference
//     (goal ≤ 1.3×), after and (TESSERA_BENCH_BASELINE) before
//   - the same endpoint behind tessera/node's serveNode and behind @hono/node-server, start and
//     verify: the faster adapter is the one tessera/node keeps
//   - `tessera dev --workers 1` against `--workers 2` (node:cluster): req/s of starts
//   node bench/http-path.mjs [--duration 5] [--connections 10] [--markdown]
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "./lib/args.mjs";
import { ROOT } from "./lib/bundle.mjs";
import { closedLoop, createBenchServer, median } from "./lib/inprocess.mjs";
import { loadTest } from "./lib/load.mjs";
import { processCpuMs } from "./lib/proc-cpu.mjs";
import { startServerProcess } from "./lib/server-process.mjs";
import { devUnavailable, startDev } from "./lib/tessera-dev.mjs";
import { formatCount, formatRatio, printTable } from "./lib/table.mjs";
import { startSessions } from "./tessera-http.mjs";

export const GOAL = 1.3;
const SCOPE = { product: "my-product-tag", env: "snd", tag: "session-tag" };
const START_BODY = { ...SCOPE, data: { userId: "1919102009383", details: { username: "feekayo", email: "fikayo@ductape.app" } } };

export async function adapterServer(adapter, store = "sqlite") {
  const proc = await startServerProcess(process.execPath, [join(ROOT, "bench/lib/adapter-server.mjs"), adapter, store], { cwd: ROOT, ready: /publishable key\s+\S+/, timeoutMs: 30_000 });
  const out = proc.output();
  return { url: proc.url, pid: proc.pid, stop: proc.stop, secretKey: /secret key\s+(\S+)/.exec(out)[1], publishableKey: /publishable key\s+(\S+)/.exec(out)[1] };
}

export const startLoad = (server) => ({ url: `${server.url}/v1/sessions/start`, method: "POST", headers: { authorization: `Bearer ${server.secretKey}` }, body: START_BODY, warmup: 1 });
const verifyLoad = (server, sessions) => ({
  url: `${server.url}/v1/sessions/verify`, method: "POST", headers: { authorization: `Bearer ${server.publishableKey}` },
  bodies: sessions.map((s) => ({ ...SCOPE, token: s.token })), cycle: true, warmup: 1,
});

/** One HTTP case: start the server, optionally prepare, load it, CPU per answered request. */
export async function httpCase(label, boot, load, { duration, connections, prepare }) {
  let server;
  try {
    server = await boot();
    const prepared = prepare ? await prepare(server) : undefined;
    const result = await loadTest({ duration, connections, probe: () => processCpuMs(server.pid), ...load(server, prepared) });
    const cpuUs = result.probed != null && result.requests > 0 ? (result.probed * 1000) / result.requests : null;
    const note = [result.non2xx ? `${result.non2xx} non-2xx` : null, result.errors ? `${result.errors} errors` : null].filter(Boolean).join(", ") || null;
    return { label, rps: result.rps, cpuUs, note };
  } catch (error) {
    return { label, note: `failed: ${String(error?.message ?? error).split("\n")[0]}` };
  } finally {
    await server?.stop();
  }
}

export async function httpPathBench(options = {}) {
  const duration = options.duration ?? 5;
  const connections = options.connections ?? 10;
  const baseline = options.baseline ?? process.env.TESSERA_BENCH_BASELINE ?? null;
  const http = { duration, connections };
  const rows = [];

  // The reference: in-process CPU per start over SQLite, 8 in flight, median of 5 × 1 s; the
  // same over memoryStore for the memoryStore rows.
  const inProcess = async (store) => {
    const bench = await createBenchServer(store);
    try {
      await closedLoop(() => bench.start(), { ms: 500, concurrency: 8 });
      const samples = [];
      for (let i = 0; i < 5; i++) samples.push((await closedLoop(() => bench.start(), { ms: 1000, concurrency: 8 })).cpuUs);
      return median(samples);
    } finally {
      await bench.close();
    }
  };
  const inProcessUs = await inProcess("sqlite");
  const inProcessMemoryUs = await inProcess("memory");
  rows.push({ label: "in-process start: server.fetch, sqliteStore (8 in flight)", cpuUs: inProcessUs, reference: true });
  rows.push({ label: "in-process start: server.fetch, memoryStore (8 in flight)", cpuUs: inProcessMemoryUs, reference: true, against: inProcessMemoryUs });

  const devSkip = await devUnavailable();
  const dev = (extra = {}) => () => startDev(extra);
  if (!devSkip) rows.push({ ...(await httpCase("HTTP start: tessera dev (SQLite, request log)", dev(), startLoad, http)), goal: true });
  if (!devSkip && baseline) rows.push({ ...(await httpCase("HTTP start: tessera dev — baseline", dev({ baseline }), startLoad, http)), goal: true });
  rows.push(await httpCase("HTTP start: serveNode (tessera/node), sqliteStore", () => adapterServer("tessera"), startLoad, http));
  // Where the difference comes from: the adapter with a handler that does no session work, the
  // endpoint without SQLite, and the same endpoint with fewer requests overlapping.
  rows.push(await httpCase("HTTP: serveNode, fixed-JSON fetch handler (the adapter's floor)", () => adapterServer("fixed"), startLoad, http));
  const memory = { against: inProcessMemoryUs };
  rows.push({ ...(await httpCase("HTTP start: serveNode, memoryStore", () => adapterServer("tessera", "memory"), startLoad, http)), ...memory });
  rows.push({ ...(await httpCase("HTTP start: serveNode, memoryStore, 2 connections", () => adapterServer("tessera", "memory"), startLoad, { ...http, connections: 2 })), ...memory });
  rows.push(await httpCase("HTTP start: @hono/node-server, sqliteStore", () => adapterServer("hono"), startLoad, http));
  const prepare = (server) => startSessions(server, { count: 100, connections });
  rows.push(await httpCase("HTTP verify: serveNode (tessera/node), sqliteStore", () => adapterServer("tessera"), verifyLoad, { ...http, prepare }));
  rows.push(await httpCase("HTTP verify: @hono/node-server, sqliteStore", () => adapterServer("hono"), verifyLoad, { ...http, prepare }));
  if (!devSkip) {
    const one = await httpCase("HTTP start: tessera dev --workers 1", dev({ args: ["--workers", "1"] }), startLoad, http);
    const two = await httpCase("HTTP start: tessera dev --workers 2 (node:cluster)", dev({ args: ["--workers", "2"] }), startLoad, http);
    // CPU of a cluster is spread over its workers; /proc of the primary does not see it.
    rows.push(one, { ...two, cpuUs: null, workersOf: one });
  }

  const ratioNote = (r) => {
    if (!r.goal || r.cpuUs == null) return r.note;
    const ratio = r.cpuUs / inProcessUs;
    return [r.note, `goal ≤ ${GOAL}×: ${ratio <= GOAL ? "met" : `missed (${ratio.toFixed(2)}×: the HTTP parsing, the adapter and the log cost ${formatCount(r.cpuUs - inProcessUs)} µs more per start than the endpoint in-process)`}`].filter(Boolean).join("; ");
  };
  const table = rows.map((r) => [
    r.label,
    r.rps == null ? null : formatCount(r.rps),
    r.workersOf ? `${formatRatio(r.rps, r.workersOf.rps)} of 1 worker` : null,
    formatCount(r.cpuUs),
    r.reference ? "1.00×" : r.cpuUs == null ? null : `${(r.cpuUs / (r.against ?? inProcessUs)).toFixed(2)}×`,
    ratioNote(r),
  ]);
  return {
    title: `HTTP path: CPU per request over in-process CPU per start, autocannon ${connections} connections, ${duration} s per case (servers in their own process)`,
    columns: ["case", "req/s", "req/s ratio", "server CPU µs/req", "CPU ÷ in-process start", "note"],
    rows: table,
    summary: rows
      .map((r, i) => ({ r, row: table[i] }))
      .filter(({ r }) => !r.reference)
      .map(({ r, row }) => ({ case: r.label, result: r.rps == null ? null : `${formatCount(r.rps)} req/s${r.cpuUs == null ? "" : `, ${formatCount(r.cpuUs)} CPU µs/req`}`, ratio: row[4] ?? row[2], note: ratioNote(r) })),
    ok: rows.some((r) => r.rps > 0),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const args = parseArgs(process.argv.slice(2));
    const report = await httpPathBench({ duration: process.argv.includes("--duration") ? args.duration : 5, connections: args.connections });
    printTable(report.title, report.columns, report.rows, { markdown: args.markdown });
  } catch (error) {
    console.error(`http-path: could not run: ${error?.stack ?? error}`);
    process.exitCode = 1;
  }
}
