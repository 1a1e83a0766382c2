// Issue 5 part 4: the client. In Node and in Chromium (bench/client-browser.mjs):
//   - time to persist a session: encryptedStorage(x) against x alone, in the same run (ratio);
//   - requests sent for 100 concurrent get() inside the refresh margin (counted at the
//     endpoint: must be 1);
//   - Chromium only: 5 pages of one origin refreshing together (refresh requests counted at
//     the endpoint; logouts must be 0).
//   node bench/client.mjs [--markdown]
import { pathToFileURL } from "node:url";
import { parseArgs } from "./lib/args.mjs";
import { median } from "./lib/inprocess.mjs";
import { clientModule, countingEndpoint, sampleRecord, storageModule, timeWrites } from "./lib/client-harness.mjs";
import { SCOPE } from "./lib/inprocess.mjs";
import { formatCount, printTable } from "./lib/table.mjs";
import { browserClientCases } from "./client-browser.mjs";

const ROUNDS = 7;
const WRITES_PER_ROUND = 2000;
const CONCURRENT_GETS = 100;

/** @returns {Promise<Array<{ label: string, value?: string, ratio?: string, note?: string, ok?: boolean }>>} */
export async function nodeClientCases() {
  const rows = [];
  const endpoint = await countingEndpoint();
  try {
    const record = sampleRecord(await endpoint.bench.start());
    rows.push(await guard("Node: persist a session, encryptedStorage(memoryStorage()) vs memoryStorage()", () => nodePersist(record)));
    rows.push(await guard(`Node: ${CONCURRENT_GETS} concurrent get() inside the refresh margin`, () => concurrentGets(endpoint)));
  } finally {
    await endpoint.bench.close();
  }
  return rows;
}

async function nodePersist(record) {
  const { encryptedStorage, memoryStorage } = await storageModule();
  // In Node there is no IndexedDB to keep the browser's key: a non-extractable key made here.
  const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  const plain = memoryStorage();
  const encrypted = encryptedStorage(memoryStorage(), { key });
  const samples = { plain: [], encrypted: [] };
  await timeWrites(plain, record, 200);
  await timeWrites(encrypted, record, 200);
  for (let round = 0; round < ROUNDS; round++) {
    samples.plain.push(await timeWrites(plain, record, WRITES_PER_ROUND));
    samples.encrypted.push(await timeWrites(encrypted, record, WRITES_PER_ROUND));
  }
  const plainUs = median(samples.plain);
  const encryptedUs = median(samples.encrypted);
  return {
    value: `${encryptedUs.toFixed(1)} µs vs ${plainUs.toFixed(2)} µs per write`,
    ratio: `${(encryptedUs / plainUs).toFixed(1)}× the time`,
    note: `${record.length} B record; +${(encryptedUs - plainUs).toFixed(1)} µs for AES-GCM (median of ${ROUNDS} × ${WRITES_PER_ROUND})`,
  };
}

/**
 * A stored session, the client's clock moved to 30 s before the token's expiry (inside the
 * 60 s margin), then 100 get() at once: single-flight must turn them into one refresh.
 */
async function concurrentGets(endpoint) {
  const { createClient } = await clientModule();
  const { memoryStorage } = await storageModule();
  const clock = { shift: 0 };
  const client = createClient({
    baseUrl: "http://127.0.0.1:8787",
    accessKey: endpoint.bench.publishableKey,
    product: SCOPE.product,
    env: SCOPE.env,
    storage: memoryStorage(),
    fetch: endpoint.fetch,
    autoRefresh: false,
    broadcast: false,
    now: () => Date.now() + clock.shift,
  });
  try {
    const tokens = await endpoint.bench.start();
    await client.sessions.adopt({ tag: SCOPE.tag, ...tokens });
    clock.shift = Date.parse(tokens.expiresAt) - Date.now() - 30_000;
    const before = endpoint.count("/v1/sessions/refresh");
    const sessions = await Promise.all(Array.from({ length: CONCURRENT_GETS }, () => client.sessions.get({ tag: SCOPE.tag })));
    const sent = endpoint.count("/v1/sessions/refresh") - before;
    const distinct = new Set(sessions.map((s) => s?.refreshToken ?? null));
    const rotated = sessions.every((s) => s && s.refreshToken !== tokens.refreshToken);
    return {
      value: `${sent} refresh request${sent === 1 ? "" : "s"}`,
      ratio: null,
      note: `must be 1: ${sent === 1 ? "met" : "MISSED"}; ${distinct.size} distinct session(s) returned${rotated ? ", all rotated" : ", NOT all rotated"}`,
      ok: sent === 1,
    };
  } finally {
    client.close();
  }
}

/** A case that throws becomes a row saying why. */
export async function guard(label, run) {
  try {
    return { label, ...(await run()) };
  } catch (error) {
    return { label, note: `could not run: ${String(error?.message ?? error).split("\n")[0]}` };
  }
}

export async function clientBench(options = {}) {
  const rows = [...(await nodeClientCases()), ...(await browserClientCases(options))];
  return {
    title: "Client: persist cost of encryption, refresh coalescing (requests counted at the endpoint)",
    columns: ["case", "result", "ratio", "note"],
    rows: rows.map((r) => [r.label, r.value, r.ratio, r.note]),
    summary: rows.map((r) => ({ case: r.label, result: r.value ?? null, ratio: r.ratio ?? null, note: r.note ?? null })),
    ok: rows.some((r) => r.value != null),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = parseArgs(process.argv.slice(2));
  const report = await clientBench(args);
  printTable(report.title, report.columns, report.rows, { markdown: args.markdown });
  if (!report.ok) process.exitCode = 1;
}
