// Where a request's time goes (issue 5 part 2: "say where the rest goes"). Runs one operation
// in-process for a few seconds under `node --cpu-prof`, then prints self time grouped by
// function and by area (jose, WebCrypto/Node internals, tessera's src/ folders, SQLite).
//   node bench/profile-server.mjs start|refresh|verify [memory|sqlite|raw] [seconds]
// `raw` profiles the raw jose operations of bench/lib/raw-crypto.mjs, for comparison.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { closedLoop, createBenchServer } from "./lib/inprocess.mjs";
import { rawCrypto } from "./lib/raw-crypto.mjs";
import { formatTable } from "./lib/table.mjs";

const [op = "start", storeKind = "memory", seconds = "4"] = process.argv.slice(2);

if (process.env.TESSERA_PROFILE_CHILD) {
  // The profiled process: only the load, no analysis.
  const bench = await createBenchServer(storeKind === "raw" ? "memory" : storeKind);
  const tokens = [];
  for (let i = 0; i < 100; i++) tokens.push((await bench.start()).token);
  const chains = [];
  for (let i = 0; i < 8; i++) chains.push((await bench.start()).refreshToken);
  const step = {
    start: () => bench.start(),
    refresh: async (w) => void (chains[w] = (await bench.refresh(chains[w])).refreshToken),
    verify: (() => { let n = 0; return () => bench.verify(tokens[n++ % tokens.length]); })(),
  }[op];
  const raw = storeKind === "raw" ? (await rawCrypto(bench.jwk))[op] : null;
  const { rate } = await closedLoop(raw ?? step, { ms: Number(seconds) * 1000, concurrency: 8 });
  console.log(`${op} (${storeKind}): ${Math.round(rate)} req/s under the profiler`);
  writeFileSync(process.env.TESSERA_PROFILE_CHILD, String(Math.round(rate * Number(seconds))));
  await bench.close();
} else {
  const dir = mkdtempSync(join(tmpdir(), "tessera-prof-"));
  const run = spawnSync(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${dir}`, fileURLToPath(import.meta.url), op, storeKind, seconds], {
    env: { ...process.env, TESSERA_PROFILE_CHILD: join(dir, "count.txt") },
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  const { byArea, byFunction, total } = summarize(JSON.parse(readFileSync(join(dir, file), "utf8")));
  // Includes the warm-up requests made before the loop (a few hundred): a slight overestimate.
  const count = Number(readFileSync(join(dir, "count.txt"), "utf8"));
  const pct = (us) => `${((us / total) * 100).toFixed(1)}%`;
  const perRequest = (us) => (us / count).toFixed(1);
  console.log(`\nmain-thread self time by area (${(total / 1e6).toFixed(1)} s sampled, ${count} requests)\n`);
  console.log(formatTable(["area", "share", "µs/request"], byArea.filter(([, v]) => v / total >= 0.002).map(([k, v]) => [k, pct(v), perRequest(v)])));
  console.log(`\ntop functions by self time\n`);
  console.log(formatTable(["function", "where", "share", "µs/request"], byFunction.slice(0, 25).map(([k, v]) => [...k.split("|"), pct(v), perRequest(v)])));
  console.log(`\nprofile kept in ${join(dir, file)} (open it in Chrome DevTools > Performance)`);
}

/** Self time per node, grouped by function (name + file:line) and by coarse area. */
export function summarize(profile) {
  const self = new Map();
  const dt = new Map();
  profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byArea = new Map();
  const byFunction = new Map();
  let total = 0;
  for (const node of profile.nodes) {
    const time = dt.get(node.id) ?? 0;
    if (!time) continue;
    total += time;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = areaOf(functionName, url);
    byArea.set(area, (byArea.get(area) ?? 0) + time);
    const key = `${functionName || "(anonymous)"}|${shortUrl(url)}${url ? `:${lineNumber + 1}` : ""}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + time);
    self.set(node.id, time);
  }
  const sort = (map) => [...map].sort((a, b) => b[1] - a[1]);
  return { byArea: sort(byArea), byFunction: sort(byFunction), total };
}

function areaOf(name, url) {
  if (name === "(idle)") return "idle (waiting for the thread pool)";
  if (name === "(garbage collector)") return "garbage collector";
  if (name === "(program)") return "(program: native, outside JS)";
  if (url.includes("node_modules/jose")) return "jose";
  if (url.includes("better-sqlite3")) return "better-sqlite3";
  if (url.includes("tessera-bench/server.mjs")) return "tessera src/server (bundled)";
  if (url.includes("/bench/")) return "bench harness (Request building, loop)";
  if (url.startsWith("node:internal/crypto") || url.includes("internal/crypto")) return "node webcrypto glue";
  if (url.includes("undici") || url.includes("internal/deps/undici") || url.includes("webstreams")) return "undici Request/Response/streams";
  if (url.startsWith("node:")) return "other node internals";
  return url ? "other" : `native: ${name}`;
}

function shortUrl(url) {
  return url.replace(/^file:\/\/.*node_modules\//, "").replace(/^file:\/\/.*\/bench\//, "bench/");
}
