// The in-process parts' helpers and report shapes (no timing assertions: issue 5).
//   node --test bench/test/
import { test } from "node:test";
import assert from "node:assert/strict";
import { closedLoop, createBenchServer, median } from "../lib/inprocess.mjs";
import { processCpuMs } from "../lib/proc-cpu.mjs";
import { rawCrypto } from "../lib/raw-crypto.mjs";
import { primitivesBench } from "../primitives.mjs";
import { throughputBench } from "../throughput.mjs";

test("closedLoop keeps exactly `concurrency` operations in flight and gives each worker its index", async () => {
  let inFlight = 0;
  let most = 0;
  const seen = new Set();
  const { rate, cpuUs } = await closedLoop(
    async (worker) => {
      seen.add(worker);
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
    },
    { ms: 100, concurrency: 3 },
  );
  assert.equal(most, 3);
  assert.deepEqual([...seen].sort(), [0, 1, 2]);
  assert.ok(rate > 0 && Number.isFinite(rate));
  assert.ok(cpuUs >= 0);
});

test("median of odd and even samples", () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test("processCpuMs reads this process's CPU time, and null for a process that does not exist", () => {
  const before = processCpuMs(process.pid);
  let x = 0;
  for (let i = 0; i < 5e7; i++) x += i;
  assert.ok(x > 0);
  const after = processCpuMs(process.pid);
  assert.ok(before !== null && after >= before);
  assert.equal(processCpuMs(2 ** 22 + 12345), null);
});

test("the bench server answers start, refresh and verify, and raw crypto makes a token the server's key verifies", async () => {
  const bench = await createBenchServer("sqlite");
  try {
    const started = await bench.start();
    assert.match(started.token, /^session-tag:eyJ/);
    const refreshed = await bench.refresh(started.refreshToken);
    assert.notEqual(refreshed.refreshToken, started.refreshToken);
    assert.equal((await bench.verify(refreshed.token)).valid, true);
    await assert.rejects(bench.refresh(started.refreshToken + "x"), /answered 401|answered 400/);
    const raw = await rawCrypto(bench.jwk);
    const { plaintext } = await raw.verify();
    assert.equal(JSON.parse(new TextDecoder().decode(plaintext)).userId, "1919102009383");
    assert.equal((await raw.start()).split(".").length, 3);
  } finally {
    await bench.close();
  }
});

test("throughputBench reports each operation against its raw crypto, with issue 11's goals and the missed reason", async () => {
  const report = await throughputBench({ sampleMs: 30, rounds: 1, concurrency: 2, baseline: null });
  assert.equal(report.ok, true);
  assert.deepEqual(
    report.rows.map((r) => r[0].split(":")[0]),
    ["start", "start", "start", "start", "refresh", "refresh", "refresh", "verify", "verify", "verify", "offline", "offline"],
  );
  for (const row of report.rows.filter((r) => r[0].includes("raw jose"))) assert.equal(row[2], "1.00×");
  assert.match(report.rows[1][0], /fetch handler's floor/);
  assert.match(report.rows[2][5], /^goal CPU ≥ 0\.65×: (met|missed \(\d[\d,]* µs\/req beyond the crypto: .+\))$/);
  assert.match(report.rows[3][5], /^goal CPU ≥ 0\.5×: (met|missed \(.+SQLite transaction\))$/);
  assert.match(report.rows[8][5], /^goal CPU ≥ 0\.65×: (met|missed \(.+\))$/);
  assert.equal(report.rows[5][5], null); // refresh has no goal in issue 11
  assert.match(report.rows[11][0], /verifySessionToken/);
  assert.equal(report.summary.length, 7);
});

test("primitivesBench puts each JS primitive beside the WebCrypto call it replaces and node:crypto's", async () => {
  const report = await primitivesBench({ sampleMs: 10, baseline: null });
  assert.equal(report.ok, true);
  assert.deepEqual(
    report.rows.map((r) => r[0]),
    [
      "SHA-256, crypto.subtle.digest",
      "SHA-256, JS (sha256.ts)",
      "SHA-256, node:crypto createHash (native, not WebCrypto)",
      "HKDF expand, JS (hkdf.ts)",
      "HKDF, crypto.subtle.deriveBits (extract + expand)",
      "HKDF, node:crypto hkdfSync (native, not WebCrypto)",
    ],
  );
  for (const [, us, ratio] of report.rows) {
    assert.ok(Number(us) > 0, us);
    assert.match(ratio, /^\d+\.\d+×$/);
  }
  assert.equal(report.rows[0][2], "1.00×");
  assert.equal(report.summary.length, 2);
});
