// Helpers of issue 5 part 4 (client): tessera's client and storage built from src/, a sample
// session record of the real size, a timing loop for storage writes, and an in-process
// endpoint that counts the refresh requests it receives.
import { importSource } from "./bundle.mjs";
import { createBenchServer, SCOPE } from "./inprocess.mjs";

export const clientModule = () => importSource("src/index.ts", "client");
export const storageModule = () => importSource("src/storage/index.ts", "storage");

/**
 * The in-process endpoint (memory store) wrapped so every request is counted by path.
 * `fetch` is what a client's `fetch` option takes.
 */
export async function countingEndpoint() {
  const bench = await createBenchServer("memory");
  const counts = new Map();
  return {
    bench,
    counts,
    count: (path) => counts.get(path) ?? 0,
    fetch: (request) => {
      const { pathname } = new URL(request.url);
      counts.set(pathname, (counts.get(pathname) ?? 0) + 1);
      return bench.server.fetch(request);
    },
  };
}

/** What the client keeps in storage for one session: the same JSON shape and size (stored.ts). */
export function sampleRecord(tokens) {
  return JSON.stringify({ v: 1, ...SCOPE, ...tokens, skew: 0, lifetime: 900_000 });
}

/**
 * Mean time of one `storage.set` (awaited one after another: a client persists one session at
 * a time), over `count` writes. Returns microseconds.
 */
export async function timeWrites(storage, value, count) {
  const started = performance.now();
  for (let i = 0; i < count; i++) await storage.set(`tessera:${SCOPE.product}:${SCOPE.env}:bench-${i % 8}`, value);
  return ((performance.now() - started) * 1000) / count;
}
