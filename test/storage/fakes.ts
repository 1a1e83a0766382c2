import type { DenoKvLike, KVNamespaceLike } from "../../src/storage/index.js";

/** In-memory stand-in for a Workers KV binding, strict where real KV is (expirationTtl >= 60). */
export function fakeKV(now: () => number = Date.now) {
  const data = new Map<string, { value: string; expiresAt: number }>();
  const puts: { key: string; options?: { expirationTtl?: number } }[] = [];
  const binding: KVNamespaceLike = {
    async get(key, type) {
      if (type !== "text") throw new Error("expected text reads");
      const entry = data.get(key);
      if (!entry || entry.expiresAt <= now()) return null;
      return entry.value;
    },
    async put(key, value, options) {
      if (typeof value !== "string") throw new Error("KV values here are strings");
      if (options?.expirationTtl !== undefined && options.expirationTtl < 60) {
        throw new Error("KV PUT failed: 400 Invalid expiration_ttl of " + options.expirationTtl);
      }
      puts.push({ key, options });
      data.set(key, { value, expiresAt: options?.expirationTtl ? now() + options.expirationTtl * 1000 : Infinity });
    },
    async delete(key) {
      data.delete(key);
    },
  };
  return { binding, data, puts };
}

/** In-memory stand-in for Deno.Kv: array keys, `expireIn` in ms, `{ value: null }` when missing. */
export function fakeDenoKv(now: () => number = Date.now) {
  const data = new Map<string, { value: unknown; expiresAt: number }>();
  const sets: { key: readonly unknown[]; options?: { expireIn?: number } }[] = [];
  const id = (key: readonly unknown[]) => JSON.stringify(key);
  const kv: DenoKvLike = {
    async get(key) {
      const entry = data.get(id(key));
      return { value: entry && entry.expiresAt > now() ? entry.value : null };
    },
    async set(key, value, options) {
      sets.push({ key, options });
      data.set(id(key), { value, expiresAt: options?.expireIn ? now() + options.expireIn : Infinity });
      return { ok: true };
    },
    async delete(key) {
      data.delete(id(key));
    },
  };
  return { kv, data, sets };
}
