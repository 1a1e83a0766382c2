import type { SessionStorage } from "./types.js";

/** The part of a Workers KV namespace binding this adapter uses (structural, no runtime import). */
export interface KVNamespaceLike {
  get(key: string, type: "text"): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Workers KV refuses an expirationTtl under 60 seconds. */
const KV_MIN_TTL_SECONDS = 60;

/**
 * Client-side session storage in a Cloudflare KV namespace (e.g. a Worker acting for a user).
 * KV is eventually consistent; that is acceptable for a client cache of one session per key,
 * never for the server's rotation state (DESIGN.md: rotation needs compare-and-set).
 */
export function cloudflareKVStorage(binding: KVNamespaceLike, options: { prefix?: string } = {}): SessionStorage {
  const prefix = options.prefix ?? "";
  return {
    get: (key) => binding.get(prefix + key, "text"),
    async set(key, value, setOptions) {
      const ttl = setOptions?.ttlSeconds;
      await binding.put(
        prefix + key,
        value,
        ttl !== undefined && ttl > 0 ? { expirationTtl: Math.max(KV_MIN_TTL_SECONDS, Math.ceil(ttl)) } : undefined,
      );
    },
    delete: (key) => binding.delete(prefix + key),
    physicalKey: (key) => prefix + key,
  };
}
