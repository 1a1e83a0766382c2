// Issue 5 part 3: HTTP on loopback under a bounded load. Every case runs a server as its own
// process and drives it with autocannon through loadTest(); the first case is the floor (a
// bare node:http server with a fixed JSON body) and the others are shown as a ratio to it,
// measured in the same run because these machines are shared and noisy.
//   node bench/http.mjs [--duration 10] [--connections 10] [--markdown]
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "./lib/args.mjs";
import { loadTest } from "./lib/load.mjs";
import { startServerProcess } from "./lib/server-process.mjs";
import { processCpuMs } from "./lib/proc-cpu.mjs";
import { formatCount, formatRatio, printTable } from "./lib/table.mjs";
import { baselineCases, TESSERA_HTTP_CASES } from "./tessera-http.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * A case: `server()` starts the process (resolves at least { url, stop }), `prepare(server)`
 * may build a pool of request bodies first (e.g. one fresh refresh token per request, since
 * each can be presented once), `load(url, prepared, server)` returns loadTest options
 * (duration and connections come from the command line). `skip()` returns (or resolves to)
 * the reason a case cannot run yet (e.g. not built), or null.
 * `source` (optional) names the build that ran, shown in the row's note.
 * `pid` (optional) lets the row show the server's CPU time per request.
 * @typedef {{ url: string, stop: () => Promise<void>, source?: string, pid?: number }} CaseServer
 * @typedef {{ label: string, skip?: () => string | null | Promise<string | null>, server: () => Promise<CaseServer>,
 *   prepare?: (server: CaseServer, options: { duration: number, connections: number }) => Promise<unknown>,
 *   load: (url: string, prepared: unknown, server: CaseServer) => object }} HttpCase
 */

/** @type {HttpCase} */
export const FLOOR_CASE = {
  label: "floor: bare node:http, fixed JSON",
  server: () => startServerProcess(process.execPath, [join(ROOT, "bench/lib/floor-server.mjs")], { cwd: ROOT }),
  load: (url) => ({
    url: `${url}/v1/sessions/verify`,
    method: "POST",
    // About the size of a verify request carrying a session token.
    body: { token: `session-tag:${"x".repeat(480)}` },
    warmup: 1,
  }),
};

/**
 * The floor first (the ratio column's reference), then tessera's cases; with
 * TESSERA_BENCH_BASELINE=<dir holding another src/>, also tessera dev built from there.
 */
export const HTTP_CASES = [
  FLOOR_CASE,
  ...TESSERA_HTTP_CASES,
  ...(process.env.TESSERA_BENCH_BASELINE ? baselineCases(process.env.TESSERA_BENCH_BASELINE) : []),
];

/** Runs the cases in order; a case that fails becomes a row with a note. */
export async function httpBench(options = {}, cases = HTTP_CASES) {
  const duration = options.duration ?? 10;
  const connections = options.connections ?? 10;
  const results = [];
  for (const testCase of cases) {
    const skipped = (await testCase.skip?.()) ?? null;
    if (skipped) {
      results.push({ label: testCase.label, note: `skipped: ${skipped}` });
      continue;
    }
    let server;
    try {
      server = await testCase.server();
      const prepared = testCase.prepare ? await testCase.prepare(server, { duration, connections }) : undefined;
      const probe = server.pid ? () => processCpuMs(server.pid) : undefined;
      const result = await loadTest({ duration, connections, probe, ...testCase.load(server.url, prepared, server) });
      // The server's own CPU (all its threads) per answered request: steadier than req/s here.
      result.cpuUs = result.probed != null && result.requests > 0 ? (result.probed * 1000) / result.requests : null;
      const notes = [server.source && `ran ${server.source}`, noteFor(result, duration)].filter(Boolean);
      results.push({ label: testCase.label, ...result, note: notes.join("; ") || null });
    } catch (error) {
      results.push({ label: testCase.label, note: `failed: ${String(error?.message ?? error).split("\n")[0]}` });
    } finally {
      await server?.stop();
    }
  }
  const floor = results[0]?.rps ? results[0] : null;
  const ms = (value) => (value == null ? null : value.toFixed(3));
  return {
    title: `HTTP on loopback: autocannon, ${connections} connections, ${duration} s per case (server in its own process)`,
    columns: ["case", "requests", "req/s", "ratio to floor", "p50 ms", "p99 ms", "server CPU µs/req", "note"],
    rows: results.map((r) => [r.label, formatCount(r.requests), formatCount(r.rps), formatRatio(r.rps, floor?.rps), ms(r.p50), ms(r.p99), formatCount(r.cpuUs), r.note]),
    summary: results.map((r) => ({
      case: r.label,
      result: r.rps == null ? null : `${formatCount(r.rps)} req/s, p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms${r.cpuUs == null ? "" : `, ${formatCount(r.cpuUs)} CPU µs/req`}`,
      ratio: formatRatio(r.rps, floor?.rps) && `${formatRatio(r.rps, floor?.rps)} floor`,
      note: r.note,
    })),
    results,
    ok: results.some((r) => r.rps > 0),
  };
}

function noteFor(result, duration) {
  const notes = [];
  if (result.non2xx > 0) notes.push(`${result.non2xx} non-2xx`);
  if (result.errors > 0) notes.push(`${result.errors} errors/timeouts`);
  if (result.poolSpent && result.seconds < duration * 0.95) notes.push(`pool spent after ${result.seconds.toFixed(1)} s`);
  return notes.join(", ") || null;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const args = parseArgs(process.argv.slice(2));
    for (const note of args.notes) console.error(note);
    const report = await httpBench(args);
    printTable(report.title, report.columns, report.rows, { markdown: args.markdown });
    if (!report.ok) process.exitCode = 1;
  } catch (error) {
    console.error(`http: could not run: ${error?.message ?? error}`);
    process.exitCode = 1;
  }
}
