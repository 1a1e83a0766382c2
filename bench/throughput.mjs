// Issue 5 part 2: server throughput in-process. Requests go through `server.fetch` (a Request
// built per call, no socket) for start, refresh and verify, with the memory and SQLite
// stores, beside the raw jose operations each request needs (bench/lib/raw-crypto.mjs),
// timed in the same run. Rounds interleave the variants so a noisy neighbour hurts them
// alike; each figure is the median over the rounds.
//   node bench/throughput.mjs [--markdown]
//   TESSERA_BENCH_BASELINE=/tmp/before node bench/throughput.mjs   # adds the servers built
//     from another copy of src/ (git archive <rev> src | tar -x -C /tmp/before): before/after
//     in one run
// Goals (issue 11), as CPU ratios: start >= 0.65 of raw crypto with memoryStore, >= 0.5 with
// sqliteStore; verify >= 0.65 with memoryStore. "offline" compares verifySessionToken (JWKS
// object, keys cached) with jose's jwtVerify on an imported key.
import { pathToFileURL } from "node:url";
import { parseArgs } from "./lib/args.mjs";
import { closedLoop, createBenchServer, median } from "./lib/inprocess.mjs";
import { rawCrypto } from "./lib/raw-crypto.mjs";
import { formatCount, formatRatio, printTable } from "./lib/table.mjs";

// Issue 11's goals, as CPU ratios (raw CPU ÷ request CPU); the rate ratio is shown beside them.
export const AIMS = { start: { memory: 0.65, sqlite: 0.5 }, verify: { memory: 0.65 } };
const OPERATIONS = ["start", "refresh", "verify", "offline"];
const RAW_LABEL = { start: "sign + encrypt", refresh: "sign + encrypt + SHA-256", verify: "verify + decrypt", offline: "jwtVerify" };
const STORE_LABEL = { memory: "memoryStore", sqlite: "sqliteStore (tmp file)" };
const VERIFY_POOL = 100;

/**
 * @param {{ sampleMs?: number, rounds?: number, concurrency?: number, baseline?: string }} options
 *   defaults: 0.5 s samples, 5 rounds, 8 requests in flight (WebCrypto work runs on libuv's
 *   thread pool, so a few in flight keep both cores busy, for the raw loop and the server
 *   alike); `baseline` (or TESSERA_BENCH_BASELINE): a directory holding another src/
 */
export async function throughputBench(options = {}) {
  const sampleMs = options.sampleMs ?? 500;
  const rounds = options.rounds ?? 5;
  const concurrency = options.concurrency ?? 8;
  const baseline = options.baseline ?? process.env.TESSERA_BENCH_BASELINE ?? null;
  const specs = [
    { id: "memory", store: "memory" },
    { id: "sqlite", store: "sqlite" },
    ...(baseline ? [{ id: "memory-baseline", store: "memory", root: baseline }, { id: "sqlite-baseline", store: "sqlite", root: baseline }] : []),
  ];
  const servers = [];
  try {
    for (const spec of specs) servers.push({ ...spec, bench: await createBenchServer(spec.store, { root: spec.root }) });
    const raw = await rawCrypto(servers[0].bench.jwk);
    const variants = [{ id: "raw", loops: raw }, { id: "floor", loops: { start: raw.fetchFloor } }];
    for (const s of servers) variants.push({ id: s.id, loops: await serverLoops(s.bench, concurrency) });

    const rate = {};
    const cpu = {};
    // Warm-up: JIT, key imports, the SQLite schema; discarded.
    const skip = (op, v) => (op === "offline" && v.id.startsWith("sqlite")) || v.loops[op] === undefined;
    for (const op of OPERATIONS) for (const v of variants) if (!skip(op, v)) await closedLoop(v.loops[op], { ms: 200, concurrency });
    for (let round = 0; round < rounds; round++) {
      for (const op of OPERATIONS) {
        for (const v of variants) {
          if (skip(op, v)) continue;
          const sample = await closedLoop(v.loops[op], { ms: sampleMs, concurrency });
          (rate[`${op}/${v.id}`] ??= []).push(sample.rate);
          (cpu[`${op}/${v.id}`] ??= []).push(sample.cpuUs);
        }
      }
    }

    const errors = servers.reduce((n, s) => n + s.bench.errors.length, 0);
    const results = [];
    for (const op of OPERATIONS) {
      const ref = { rate: median(rate[`${op}/raw`]), cpuUs: median(cpu[`${op}/raw`]) };
      results.push({ op, label: `${op}: raw jose (${RAW_LABEL[op]})`, ...ref, ref });
      if (op === "start") {
        results.push({ op, label: "start: the same inside a Request in, JSON Response out (any fetch handler's floor)", rate: median(rate["start/floor"]), cpuUs: median(cpu["start/floor"]), ref });
      }
      for (const s of servers) {
        if (op === "offline" && s.store !== "memory") continue; // no store involved: once per build
        const label = op === "offline" ? `offline: verifySessionToken (JWKS cached)${s.root ? " — baseline" : ""}` : `${op}: server.fetch, ${STORE_LABEL[s.store]}${s.root ? " — baseline" : ""}`;
        results.push({ op, server: s, label, rate: median(rate[`${op}/${s.id}`]), cpuUs: median(cpu[`${op}/${s.id}`]), ref });
      }
    }
    const noteFor = (r) => {
      const aim = r.server && !r.server.root ? AIMS[r.op]?.[r.server.store] : undefined;
      if (aim === undefined) return null;
      const ratio = r.ref.cpuUs / r.cpuUs;
      if (ratio >= aim) return `goal CPU ≥ ${aim}×: met`;
      // Where the rest goes (bench/profile-server.mjs): what a request costs beyond the crypto.
      return `goal CPU ≥ ${aim}×: missed (${formatCount(r.cpuUs - r.ref.cpuUs)} µs/req beyond the crypto: Request/Response objects, JSON, store${r.server.store === "sqlite" ? ", SQLite transaction" : ""})`;
    };
    return {
      title: `Server throughput in-process: server.fetch, ${concurrency} in flight, median of ${rounds} × ${sampleMs / 1000} s${baseline ? `, baseline from ${baseline}` : ""}`,
      // CPU ratio: the raw operations' CPU time (all threads) over the request's; 1.00× = as cheap as the crypto.
      columns: ["case", "req/s", "ratio to raw crypto", "CPU µs/req", "CPU ratio", "note"],
      rows: results.map((r) => [r.label, formatCount(r.rate), formatRatio(r.rate, r.ref.rate), formatCount(r.cpuUs), formatRatio(r.ref.cpuUs, r.cpuUs), noteFor(r)]),
      summary: results
        .filter((r) => r.server)
        .map((r) => ({
          case: r.label,
          result: `${formatCount(r.rate)} req/s, ${formatCount(r.cpuUs)} CPU µs/req`,
          ratio: `${formatRatio(r.rate, r.ref.rate)} raw (CPU ${formatRatio(r.ref.cpuUs, r.cpuUs)})`,
          note: [noteFor(r), errors ? `${errors} server errors` : null].filter(Boolean).join("; ") || null,
        })),
      results,
      ok: results.some((r) => r.rate > 0),
    };
  } finally {
    for (const s of servers) await s.bench.close();
  }
}

/** start, refresh (one rotation chain per worker) and verify (a pool of valid tokens, cycled). */
async function serverLoops(bench, concurrency) {
  const tokens = [];
  for (let i = 0; i < VERIFY_POOL; i++) tokens.push((await bench.start()).token);
  // Each answer's refresh token is the worker's next request: a chain of rotations.
  const chains = [];
  for (let i = 0; i < concurrency; i++) chains.push((await bench.start()).refreshToken);
  let next = 0;
  return {
    start: () => bench.start(),
    refresh: async (worker) => {
      chains[worker] = (await bench.refresh(chains[worker])).refreshToken;
    },
    verify: () => bench.verify(tokens[next++ % tokens.length]),
    offline: () => bench.verifyOffline(tokens[next++ % tokens.length]),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const args = parseArgs(process.argv.slice(2));
    const report = await throughputBench();
    printTable(report.title, report.columns, report.rows, { markdown: args.markdown });
  } catch (error) {
    console.error(`throughput: could not run: ${error?.stack ?? error}`);
    process.exitCode = 1;
  }
}
