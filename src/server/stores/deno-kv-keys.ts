/**
 * Key layout of the Deno KV store, and the structural part of `Deno.Kv` it uses (no Deno types
 * are imported, so this file type-checks and bundles everywhere).
 *
 *   ["tessera", "session", id]                                   StoredSession (mutable, CAS)
 *   ["tessera", "refresh", hash]                                 { sessionId, generation }
 *   ["tessera", "session-hashes", id, generation]                hash (to purge a session's hashes)
 *   ["tessera", "by-user", product, env, tag, identifier, id]    id (listing, revoke by identifier)
 *   ["tessera", "user", product, env, tag, identifier]           first/last seen, total sessions
 *   ["tessera", "user-seen", product, env, lastSeen, tag, identifier]  the same, by last seen (users list)
 *   ["tessera", "user-id", product, env, identifier, tag]        true (users search by identifier prefix)
 *   ["tessera", "meta", "users-indexed"]                         true once users before the two indexes above are indexed
 *   ["tessera", "activity", product, env, identifier, startAt, seq]  ActivityRecord
 *   ["tessera", "activity-at", product, env, startAt, seq]           ActivityRecord without data (stats, live feed)
 *   ["tessera", "idempotency", key]                              IdempotencyRecord
 *   ["tessera", "dpop-jti", key]                                 expiry (ms) of a DPoP proof record
 */
export type KvKeyPart = string | number | bigint | boolean | symbol | Uint8Array;
export type KvKey = readonly KvKeyPart[];

export interface KvEntry<T> {
  key: KvKey;
  value: T | null;
  versionstamp: string | null;
}

interface AtomicLike {
  check(...checks: { key: KvKey; versionstamp: string | null }[]): AtomicLike;
  set(key: KvKey, value: unknown): AtomicLike;
  delete(key: KvKey): AtomicLike;
  commit(): Promise<{ ok: boolean }>;
}

type Selector = { prefix: KvKey } | { prefix: KvKey; start: KvKey } | { prefix: KvKey; end: KvKey } | { start: KvKey; end: KvKey };

/** The part of a `Deno.Kv` handle the store uses. */
export interface KvLike {
  get(key: KvKey): Promise<KvEntry<unknown>>;
  getMany(keys: KvKey[]): Promise<KvEntry<unknown>[]>;
  set(key: KvKey, value: unknown): Promise<unknown>;
  delete(key: KvKey): Promise<void>;
  list(selector: Selector, options?: { reverse?: boolean; limit?: number }): AsyncIterable<KvEntry<unknown>>;
  atomic(): AtomicLike;
}
export type DenoKvStoreLike = KvLike;

const ROOT = "tessera";

export const KEYS = {
  session: (id: string): KvKey => [ROOT, "session", id],
  sessionPrefix: [ROOT, "session"] as KvKey,
  hash: (hash: string): KvKey => [ROOT, "refresh", hash],
  hashOf: (id: string, generation: number): KvKey => [ROOT, "session-hashes", id, generation],
  hashOfPrefix: (id: string): KvKey => [ROOT, "session-hashes", id],
  byUser: (product: string, env: string, tag: string, identifier: string, id: string): KvKey => [ROOT, "by-user", product, env, tag, identifier, id],
  byUserPrefix: (product: string, env: string, tag: string, identifier?: string): KvKey =>
    identifier === undefined ? [ROOT, "by-user", product, env, tag] : [ROOT, "by-user", product, env, tag, identifier],
  user: (product: string, env: string, tag: string, identifier: string): KvKey => [ROOT, "user", product, env, tag, identifier],
  userAll: [ROOT, "user"] as KvKey,
  userSeen: (product: string, env: string, lastSeen: number, tag: string, identifier: string): KvKey => [ROOT, "user-seen", product, env, lastSeen, tag, identifier],
  userSeenPrefix: (product: string, env: string): KvKey => [ROOT, "user-seen", product, env],
  userId: (product: string, env: string, identifier: string, tag: string): KvKey => [ROOT, "user-id", product, env, identifier, tag],
  userIdPrefix: (product: string, env: string): KvKey => [ROOT, "user-id", product, env],
  usersIndexed: [ROOT, "meta", "users-indexed"] as KvKey,
  activity: (product: string, env: string, identifier: string, startAt: number, seq: string): KvKey => [ROOT, "activity", product, env, identifier, startAt, seq],
  activityPrefix: (product: string, env: string, identifier: string): KvKey => [ROOT, "activity", product, env, identifier],
  activityAll: [ROOT, "activity"] as KvKey,
  activityAt: (product: string, env: string, startAt: number, seq: string): KvKey => [ROOT, "activity-at", product, env, startAt, seq],
  activityAtPrefix: (product: string, env: string): KvKey => [ROOT, "activity-at", product, env],
  activityAtAll: [ROOT, "activity-at"] as KvKey,
  byScopePrefix: (product: string, env: string, tag?: string): KvKey =>
    tag === undefined ? [ROOT, "by-user", product, env] : [ROOT, "by-user", product, env, tag],
  idempotency: (key: string): KvKey => [ROOT, "idempotency", key],
  idempotencyPrefix: [ROOT, "idempotency"] as KvKey,
  proof: (key: string): KvKey => [ROOT, "dpop-jti", key],
  proofPrefix: [ROOT, "dpop-jti"] as KvKey,
};

/**
 * Every entry under `prefix` (optionally from `start`, up to `end` exclusive), in key order.
 * Deno KV takes `prefix` with one bound, or both bounds without `prefix`.
 */
export async function entriesOf<T>(kv: KvLike, prefix: KvKey, range: { start?: KvKey; end?: KvKey }): Promise<{ key: KvKey; value: T }[]> {
  const selector: Selector =
    range.start && range.end ? { start: range.start, end: range.end }
    : range.start ? { prefix, start: range.start }
    : range.end ? { prefix, end: range.end }
    : { prefix };
  const out: { key: KvKey; value: T }[] = [];
  for await (const entry of kv.list(selector)) if (entry.value !== null) out.push({ key: entry.key, value: entry.value as T });
  return out;
}
