// The synchronous primitives of the server's hot path beside what they replace, in one run:
// SHA-256 of a refresh token (60 bytes) and HKDF-SHA-256 of one session's data key, in JS
// (src/server/tokens/sha256.ts, hkdf.ts) against WebCrypto (one thread-pool job each) and
// node:crypto (native, synchronous: the reference, not an option for a WebCrypto-only package).
// CPU µs per operation, all threads (WebCrypto's jobs run on libuv's pool).
//   node bench/primitives.mjs [--markdown]
//   TESSERA_BENCH_BASELINE=/tmp/before node bench/primitives.mjs   # adds the JS versions of another src/
import { createHash, hkdfSync } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "./lib/args.mjs";
import { ROOT, importSource } from "./lib/bundle.mjs";
import { median } from "./lib/inprocess.mjs";
import { formatRatio, printTable } from "./lib/table.mjs";

const TOKEN = new TextEncoder().encode(`session-tag:${"A".repeat(43)}`.padEnd(60, "A"));
const SALT = crypto.getRandomValues(new Uint8Array(32));
const SECRET = crypto.getRandomValues(new Uint8Array(32));
const INFO = `tessera data-encryption ${crypto.randomUUID()}`;

/** CPU µs per call of `op` (sync or async), over `ms` of back-to-back calls, 8 in flight when async. */
async function cpuPerOp(op, ms) {
  const before = process.cpuUsage();
  const deadline = performance.now() + ms;
  let done = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      for (let i = 0; i < 64; i++) await op();
      done += 64;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / done;
}

async function jsVersions(root, label) {
  const entry = (file) => join(root ?? ROOT, "src/server/tokens", file);
  const name = root ? "-baseline" : "";
  const out = [];
  if (existsSync(entry("sha256.ts"))) {
    const { sha256 } = await importSource("src/server/tokens/sha256.ts", `sha256${name}`, root);
    out.push({ op: "sha256", label: `SHA-256, JS (sha256.ts${label})`, run: () => sha256(TOKEN) });
  }
  if (existsSync(entry("hkdf.ts"))) {
    const { hkdfExpand32, hkdfExtract } = await importSource("src/server/tokens/hkdf.ts", `hkdf${name}`, root);
    const prk = hkdfExtract(SALT, SECRET);
    out.push({ op: "hkdf", label: `HKDF expand, JS (hkdf.ts${label})`, run: () => hkdfExpand32(prk, INFO) });
  }
  return out;
}

/** @param {{ sampleMs?: number, baseline?: string }} options defaults: 5 rounds of 0.2 s per case */
export async function primitivesBench(options = {}) {
  const sampleMs = options.sampleMs ?? 200;
  const baseline = options.baseline ?? process.env.TESSERA_BENCH_BASELINE ?? null;
  const ikm = await crypto.subtle.importKey("raw", SECRET, "HKDF", false, ["deriveBits"]);
  const hkdfParams = { name: "HKDF", hash: "SHA-256", salt: SALT, info: new TextEncoder().encode(INFO) };
  const cases = [
    { op: "sha256", label: "SHA-256, crypto.subtle.digest", run: () => crypto.subtle.digest("SHA-256", TOKEN), reference: true },
    ...(await jsVersions(undefined, "")),
    ...(baseline ? await jsVersions(baseline, ", baseline") : []),
    { op: "sha256", label: "SHA-256, node:crypto createHash (native, not WebCrypto)", run: () => createHash("sha256").update(TOKEN).digest() },
    // Extract + expand: WebCrypto has no expand-only call; the JS row does one expand (hkdf.ts keeps the PRK).
    { op: "hkdf", label: "HKDF, crypto.subtle.deriveBits (extract + expand)", run: () => crypto.subtle.deriveBits(hkdfParams, ikm, 256), reference: true },
    { op: "hkdf", label: "HKDF, node:crypto hkdfSync (native, not WebCrypto)", run: () => hkdfSync("sha256", SECRET, SALT, INFO, 32) },
  ];
  const samples = new Map(cases.map((c) => [c, []]));
  for (const c of cases) await cpuPerOp(c.run, sampleMs / 2); // warm-up: JIT
  for (let round = 0; round < 5; round++) for (const c of cases) samples.get(c).push(await cpuPerOp(c.run, sampleMs));
  const rows = [];
  const summary = [];
  for (const op of ["sha256", "hkdf"]) {
    const group = cases.filter((c) => c.op === op);
    const ref = median(samples.get(group.find((c) => c.reference)));
    for (const c of group) {
      const us = median(samples.get(c));
      rows.push([c.label, us.toFixed(2), formatRatio(ref / us, 1)]);
      if (c.label.includes("JS (") && !c.label.includes("baseline")) summary.push({ case: c.label, result: `${us.toFixed(2)} CPU µs/op`, ratio: `${formatRatio(ref / us, 1)} WebCrypto's speed`, note: null });
    }
  }
  return {
    title: "Hot-path primitives: CPU µs per operation, median of 5 × 0.2 s (ratio: speed against the WebCrypto call it replaces)",
    columns: ["case", "CPU µs/op", "speed vs WebCrypto"],
    rows,
    summary,
    ok: rows.length > 0,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = parseArgs(process.argv.slice(2));
  const report = await primitivesBench(args);
  printTable(report.title, report.columns, report.rows, { markdown: args.markdown });
}
