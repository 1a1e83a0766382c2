import { createStore, del, get, set, type UseStore } from "idb-keyval";
import type { SessionStorage } from "./types.js";

export interface IndexedDBStorageOptions {
  /** Database name; tessera uses its own database so it never collides with the app's. */
  database?: string;
  /** Object store name inside that database. */
  store?: string;
}

/**
 * Browser storage over idb-keyval in its own database/store. The store is opened on
 * first use, not at creation, so building a client during SSR never touches `indexedDB`.
 * Values are stored as strings (the encrypted envelope when wrapped by encryptedStorage).
 */
export function indexedDBStorage(options: IndexedDBStorageOptions = {}): SessionStorage {
  const database = options.database ?? "tessera";
  const storeName = options.store ?? "kv";
  let store: UseStore | undefined;
  const use = (): UseStore => (store ??= createStore(database, storeName));
  return {
    async get(key) {
      const value = await get<unknown>(key, use());
      return typeof value === "string" ? value : null;
    },
    async set(key, value) {
      await set(key, value, use());
    },
    async delete(key) {
      await del(key, use());
    },
  };
}
