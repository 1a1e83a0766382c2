// Script-tag build (global `Tessera`): the client and the storage a browser uses.
// Edge adapters (Cloudflare KV, Deno KV) stay in the ESM entry `tessera/storage`.
export { createClient } from "./client/client.js";
export { SessionError, isSessionError } from "./shared/errors.js";
export { memoryStorage } from "./storage/memory.js";
export { indexedDBStorage } from "./storage/indexeddb.js";
export { encryptedStorage } from "./storage/encrypted.js";
export { browserStorageKey } from "./storage/keys.js";
