import type { SessionStorage } from "./types.js";

type KvKey = readonly (string | number | bigint | boolean | Uint8Array)[];

/** The part of a `Deno.Kv` handle this adapter uses (structural, so nothing imports Deno types). */
export interface DenoKvLike {
  get(key: KvKey): Promise<{ value: unknown }>;
  set(key: KvKey, value: unknown, options?: { expireIn?: number }): Promise<unknown>;
  delete(key: KvKey): Promise<void>;
}

/**
 * Session storage in Deno KV. Keys become `[...prefix, key]`; the ttl hint maps to `expireIn`
 * (milliseconds), which Deno KV applies lazily, so an expired session may still be read and is
 * then discarded by the client's own expiry checks.
 */
export function denoKVStorage(kv: DenoKvLike, options: { prefix?: readonly string[] } = {}): SessionStorage {
  const prefix = options.prefix ?? ["tessera"];
  const keyOf = (key: string): KvKey => [...prefix, key];
  return {
    async get(key) {
      const entry = await kv.get(keyOf(key));
      return typeof entry.value === "string" ? entry.value : null;
    },
    async set(key, value, setOptions) {
      const ttl = setOptions?.ttlSeconds;
      await kv.set(keyOf(key), value, ttl !== undefined && ttl > 0 ? { expireIn: Math.ceil(ttl * 1000) } : undefined);
    },
    async delete(key) {
      await kv.delete(keyOf(key));
    },
  };
}
