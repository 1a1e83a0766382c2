// Script-tag build (dist/tessera.global.js): the client and the storage a browser uses, as the
// global `Tessera`. Edge adapters (Cloudflare KV, Deno KV) and `secretKey` (HKDF from a secret
// binding) stay in the ESM entry `tessera-sessions/storage`.
import { createClient } from "./client/client.js";
import { SessionError, isSessionError } from "./shared/errors.js";
import { encryptedStorage } from "./storage/encrypted.js";
import { indexedDBStorage } from "./storage/indexeddb.js";
import { browserStorageKey } from "./storage/keys.js";
import { memoryStorage } from "./storage/memory.js";

export { createClient, SessionError, isSessionError, memoryStorage, indexedDBStorage, encryptedStorage, browserStorageKey };

// Assigned here rather than through esbuild's `globalName`, whose export wrapper (__toCommonJS
// and friends) costs about 180 B gzipped of the 10 KB budget.
(globalThis as { Tessera?: object }).Tessera = {
  createClient, SessionError, isSessionError, memoryStorage, indexedDBStorage, encryptedStorage, browserStorageKey,
};
