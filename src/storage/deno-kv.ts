import { SessionError } from "../shared/errors.js";
import type { SessionStorage } from "./types.js";

type KvKey = readonly (string | number | bigint | boolean | Uint8Array)[];

/** The part of a `Deno.Kv` handle this adapter uses (structural, so nothing imports Deno types). */
export interface DenoKvLike {
  get(key: KvKey): Promise<{ value: unknown }>;
  set(key: KvKey, value: unknown, options?: { expireIn?: number }): Promise<unknown>;
  delete(key: KvKey): Promise<void>;
}

/** Deno KV refuses a value whose V8 serialisation is over 64 KiB ("Value too large"). */
const MAX_VALUE_BYTES = 65_536;

/**
 * A string's size as V8 serialises it for Deno KV: a 6-byte header, then one byte per
 * character when every character is Latin-1, two per UTF-16 unit otherwise. So the
 * largest ASCII value is 65,530 characters; a non-Latin-1 one holds half as many.
 */
const serializedBytes = (value: string) => 6 + value.length * (/[^\0-\xff]/.test(value) ? 2 : 1);

/**
 * Session storage in Deno KV. Keys become `[...prefix, key]`; the ttl hint maps to `expireIn`
 * (milliseconds), which Deno KV applies lazily, so an expired session may still be read and is
 * then discarded by the client's own expiry checks. A value over Deno KV's 64 KiB limit is
 * refused before the write with STORAGE_ERROR (the record already stored stays), not with
 * Deno's opaque "Value too large".
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
      const bytes = serializedBytes(value);
      if (bytes > MAX_VALUE_BYTES) {
        throw new SessionError("STORAGE_ERROR", `value of ${bytes} bytes is over Deno KV's 64 KiB limit`);
      }
      const ttl = setOptions?.ttlSeconds;
      await kv.set(keyOf(key), value, ttl !== undefined && ttl > 0 ? { expireIn: Math.ceil(ttl * 1000) } : undefined);
    },
    async delete(key) {
      await kv.delete(keyOf(key));
    },
    // JSON keeps the parts apart: ["a/b", "c"] and ["a", "b/c"] are different places.
    physicalKey: (key) => JSON.stringify(keyOf(key)),
  };
}
