import type { SessionStorage } from "./types.js";

/**
 * Process-local storage: the default outside browsers. Sessions are lost when the process
 * (or tab) ends, which is why browsers default to encrypted IndexedDB (memory-only caches
 * log users out on reload: auth0-spa-js #1049). The ttl hint is honoured so a long-lived
 * server process does not keep dead records.
 */
export function memoryStorage(options: { now?: () => number } = {}): SessionStorage {
  const now = options.now ?? Date.now;
  const records = new Map<string, [value: string, expiresAt: number]>();
  return {
    async get(key) {
      const [value, expiresAt] = records.get(key) ?? [null, 0];
      if (expiresAt > now()) return value;
      records.delete(key);
      return null;
    },
    async set(key, value, options) {
      records.set(key, [value, options?.ttlSeconds ? now() + options.ttlSeconds * 1000 : Infinity]);
    },
    async delete(key) {
      records.delete(key);
    },
  };
}
