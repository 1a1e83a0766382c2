// tessera's browser client with encrypted IndexedDB storage: the configuration issue 5
// measures against the alternatives (budget 10 KB gzipped, aim 8). Exported, not run.
// `.js` specifiers name the `.ts` sources (TypeScript and esbuild both map them), as src/ does.
import { createClient } from "../../src/index.js";
import { encryptedStorage, indexedDBStorage } from "../../src/storage/index.js";

export function createBenchClient(baseUrl: string) {
  return createClient({ baseUrl, storage: encryptedStorage(indexedDBStorage()) });
}
