export type { SessionStorage } from "./types.js";
export { memoryStorage } from "./memory.js";
export { indexedDBStorage, type IndexedDBStorageOptions } from "./indexeddb.js";
export { cloudflareKVStorage, type KVNamespaceLike } from "./cloudflare-kv.js";
export { denoKVStorage, type DenoKvLike } from "./deno-kv.js";
export { encryptedStorage, type EncryptedStorageOptions } from "./encrypted.js";
export { browserStorageKey, secretKey } from "./keys.js";
