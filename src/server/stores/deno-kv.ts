import { SessionError } from "../../shared/errors.js";
import { endOf, isActive, sameScope, withoutData } from "./records.js";
import { entriesOf, KEYS, type KvEntry, type KvKey, type KvLike } from "./deno-kv-keys.js";
import { denoKvUsers, indexUser, type UserRecord } from "./deno-kv-users.js";
import type { ActivityRecord, IdempotencyRecord, SessionStore, StoredSession } from "./types.js";

export type { DenoKvStoreLike } from "./deno-kv-keys.js";


/**
 * Deno KV values are limited to 64 KiB. A session record grows at its first rotation by the
 * sealed pair, which holds the session token, whose `dat` claim is the data JWE again, twice
 * base64url-encoded: about 1.8 times the data. 3 x data + 4 KiB keeps the rotated record under
 * the limit, so a session that could start can always be refreshed.
 */
const MAX_DATA_CHARS = Math.floor((65_536 - 4_096) / 3);

let activitySeq = 0;

/**
 * The server's store on Deno KV (Deno Deploy or `Deno.openKv()`). Unlike Workers KV, Deno KV
 * is strongly consistent and has atomic operations with versionstamp checks: every
 * read-modify-write here is `kv.atomic().check(entry)...commit()`, retried when the check
 * fails, and a rotation commits only if the session entry is still the one it read
 * (compare-and-set, RFC 9700 §4.14.2 needs exactly one winner). The `kv` handle is the
 * caller's: the store never closes it.
 */
export function denoKvStore(kv: KvLike): SessionStore {
  const get = <T>(key: KvKey) => kv.get(key) as Promise<KvEntry<T>>;
  const list = <T>(prefix: KvKey, range: { start?: KvKey; end?: KvKey } = {}) => entriesOf<T>(kv, prefix, range);
  const sessionsById = async (ids: string[]): Promise<KvEntry<StoredSession>[]> => {
    const out: KvEntry<StoredSession>[] = [];
    // getMany takes at most 10 keys.
    for (let i = 0; i < ids.length; i += 10) out.push(...((await kv.getMany(ids.slice(i, i + 10).map(KEYS.session))) as KvEntry<StoredSession>[]));
    return out;
  };
  /** Ids of the sessions of a scope, or of one identifier in it. */
  const idsIn = async (s: { product: string; env: string; tag: string; identifier?: string }) =>
    (await list<string>(KEYS.byUserPrefix(s.product, s.env, s.tag, s.identifier))).map((e) => e.value);
  /** Read, change, commit with a versionstamp check; again on a lost race. */
  const update = async <T>(key: KvKey, change: (current: T | null) => T | null): Promise<T | null> => {
    for (;;) {
      const entry = await get<T>(key);
      const next = change(entry.value);
      if (next === null) return null;
      if ((await kv.atomic().check(entry).set(key, next).commit()).ok) return next;
    }
  };

  const listUsers = denoKvUsers(kv, async (row, now) => (await sessionsById(await idsIn(row))).filter((e) => e.value && isActive(e.value, now)).length);

  return {
    async createSession(s) {
      if (s.data.length > MAX_DATA_CHARS) {
        throw new SessionError("PAYLOAD_TOO_LARGE", "the session data is too large for the Deno KV store (64 KiB values)", { field: "data" });
      }
      const userKey = KEYS.user(s.product, s.env, s.tag, s.identifier);
      for (;;) {
        const user = await get<UserRecord>(userKey);
        const next: UserRecord = user.value
          ? { ...user.value, totalSessions: user.value.totalSessions + 1, lastSeen: Math.max(user.value.lastSeen, s.createdAt) }
          : { identifier: s.identifier, firstSeen: s.createdAt, lastSeen: s.createdAt, totalSessions: 1 };
        const op = kv.atomic()
          .check({ key: KEYS.session(s.id), versionstamp: null })
          .check(user)
          .set(KEYS.session(s.id), { ...s })
          .set(KEYS.hash(s.refreshHash), { sessionId: s.id, generation: s.generation })
          .set(KEYS.hashOf(s.id, s.generation), s.refreshHash)
          .set(KEYS.byUser(s.product, s.env, s.tag, s.identifier, s.id), s.id)
          .set(userKey, next);
        indexUser(op, s, user.value, next);
        const result = await op.commit();
        if (result.ok) return;
        if ((await get(KEYS.session(s.id))).value !== null) throw new Error("a session with this id already exists");
      }
    },
    async getSession(id) {
      return (await get<StoredSession>(KEYS.session(id))).value;
    },
    async findRefreshHash(hash) {
      return (await get<{ sessionId: string; generation: number }>(KEYS.hash(hash))).value;
    },
    async rotateRefresh(r) {
      for (;;) {
        const entry = await get<StoredSession>(KEYS.session(r.sessionId));
        const s = entry.value;
        if (!s || s.revokedAt !== null || s.refreshHash !== r.expectedHash || s.generation + 1 !== r.nextGeneration) return false;
        const next: StoredSession = { ...s, refreshHash: r.nextHash, generation: r.nextGeneration, rotatedAt: r.rotatedAt, refreshExpiresAt: r.refreshExpiresAt, sealedPair: r.sealedPair };
        // The compare-and-set: commits only if nobody wrote the session since we read it.
        const result = await kv.atomic()
          .check(entry)
          .check({ key: KEYS.hash(r.nextHash), versionstamp: null })
          .set(KEYS.session(s.id), next)
          .set(KEYS.hash(r.nextHash), { sessionId: s.id, generation: r.nextGeneration })
          .set(KEYS.hashOf(s.id, r.nextGeneration), r.nextHash)
          .commit();
        if (result.ok) return true;
        // Lost: re-read; a rotation by someone else now fails the expected-hash test above.
      }
    },
    async revokeSessions(f, at) {
      const ids = f.sessionId !== undefined ? [f.sessionId] : await idsIn(f);
      let count = 0;
      for (const id of ids) {
        const revoked = await update<StoredSession>(KEYS.session(id), (s) => {
          if (!s || !sameScope(s, f) || !isActive(s, at)) return null;
          if ((f.identifier !== undefined && s.identifier !== f.identifier) || (f.excludeSessionId !== undefined && s.id === f.excludeSessionId)) return null;
          return { ...s, revokedAt: at };
        });
        if (revoked) count++;
      }
      return count;
    },
    async listSessions(q) {
      const all = (await sessionsById(await idsIn(q)))
        .map((e) => e.value)
        .filter((s): s is StoredSession => s !== null && (!q.activeOnly || isActive(s, q.now)))
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
      return { total: all.length, sessions: all.slice(q.offset, q.offset + q.limit) };
    },
    listUsers,
    async recordActivity(e) {
      // startAt orders the timeline; the sequence keeps insertion order within a millisecond.
      const seq = `${Date.now().toString(36).padStart(9, "0")}-${String(++activitySeq).padStart(9, "0")}-${crypto.randomUUID()}`;
      const key = KEYS.activity(e.product, e.env, e.identifier, e.startAt, seq);
      await kv.set(key, { ...e });
      await indexByTime(kv, e, seq);
      const userKey = KEYS.user(e.product, e.env, e.tag, e.identifier);
      for (;;) {
        const user = await get<UserRecord>(userKey);
        if (!user.value || e.endAt <= user.value.lastSeen) return;
        const next = { ...user.value, lastSeen: e.endAt };
        const op = kv.atomic().check(user).set(userKey, next);
        indexUser(op, e, user.value, next);
        if ((await op.commit()).ok) return;
      }
    },
    async listActivity(q) {
      const read = await Promise.all(q.scopes.map(({ product, env }) => {
        const prefix = KEYS.activityPrefix(product, env, q.identifier);
        return list<ActivityRecord>(prefix, {
          ...(q.from !== undefined ? { start: [...prefix, q.from] } : {}),
          // Keys under [..., q.to] sort before [..., q.to + 1]: `to` is inclusive.
          ...(q.to !== undefined ? { end: [...prefix, q.to + 1] } : {}),
        });
      }));
      // Each list is in (startAt, seq) order already; several products or envs are merged by it.
      const at = (key: KvKey) => [key[5] as number, String(key[6])] as const;
      const all = (read.length === 1 ? read[0]! : read.flat().sort((a, b) => {
        const [x, xs] = at(a.key), [y, ys] = at(b.key);
        return x - y || (xs < ys ? -1 : xs > ys ? 1 : 0);
      }))
        .map((entry) => entry.value)
        .filter((e) => (q.tag === undefined || e.tag === q.tag) && (q.operation === undefined || e.operation === q.operation) && (q.status === undefined || e.status === q.status));
      return { total: all.length, events: all.slice(q.offset, q.offset + q.limit) };
    },
    async scanActivity(q) {
      const prefix = KEYS.activityAtPrefix(q.product, q.env);
      const events: ActivityRecord[] = [];
      let scanned = 0;
      // Newest first and at most `limit` entries read: the index's keys sort by time.
      for await (const entry of kv.list({ start: [...prefix, q.from], end: [...prefix, q.to] }, { reverse: true, limit: q.limit })) {
        scanned++;
        const e = entry.value as ActivityRecord | null;
        if (e && (q.tag === undefined || e.tag === q.tag)) events.push(e);
      }
      return { events, scanned };
    },
    async countActiveSessions(q) {
      const ids: string[] = [];
      for await (const entry of kv.list({ prefix: KEYS.byScopePrefix(q.product, q.env, q.tag) }, { limit: q.limit })) ids.push(entry.value as string);
      return (await sessionsById(ids)).filter((e) => e.value && isActive(e.value, q.now)).length;
    },
    async trackUsage(session) {
      // A session's events live under its identifier's timeline; the cap keeps that list short.
      const tracked = (await list<ActivityRecord>(KEYS.activityPrefix(session.product, session.env, session.identifier)))
        .map((entry) => entry.value)
        .filter((e) => e.sessionId === session.id && e.operation === "track");
      return { events: tracked.length, dataLength: tracked.reduce((sum, e) => sum + (e.data?.length ?? 0), 0) };
    },
    async claimIdempotency(c) {
      for (;;) {
        const entry = await get<IdempotencyRecord>(KEYS.idempotency(c.key));
        if (entry.value && entry.value.expiresAt > c.now) return entry.value;
        const record: IdempotencyRecord = { key: c.key, bodyHash: c.bodyHash, expiresAt: c.expiresAt, sessionId: null, sealedResponse: null };
        if ((await kv.atomic().check(entry).set(KEYS.idempotency(c.key), record).commit()).ok) return null;
      }
    },
    async completeIdempotency(key, sessionId, sealedResponse) {
      await update<IdempotencyRecord>(KEYS.idempotency(key), (r) => (r ? { ...r, sessionId, sealedResponse } : null));
    },
    async releaseIdempotency(key) {
      await kv.delete(KEYS.idempotency(key));
    },
    async claimProofJti(key, expiresAt, now) {
      for (;;) {
        const entry = await get<number>(KEYS.proof(key));
        if (entry.value !== null && entry.value > now) return false;
        if ((await kv.atomic().check(entry).set(KEYS.proof(key), expiresAt).commit()).ok) return true;
      }
    },
    async purge({ now, sessionsBefore, activityBefore }) {
      let sessions = 0;
      for (const { key, value: s } of await list<StoredSession>(KEYS.sessionPrefix)) {
        if (endOf(s) >= sessionsBefore) continue;
        // Hashes first, in slices (an atomic operation takes at most 1000 mutations; a long
        // session has one hash per rotation): an interrupted purge leaves the session to find next time.
        const hashes = await list<string>(KEYS.hashOfPrefix(s.id));
        for (let i = 0; i < hashes.length; i += 200) {
          const op = kv.atomic();
          for (const h of hashes.slice(i, i + 200)) op.delete(h.key).delete(KEYS.hash(h.value));
          await op.commit();
        }
        await kv.atomic().delete(key).delete(KEYS.byUser(s.product, s.env, s.tag, s.identifier, s.id)).commit();
        sessions++;
      }
      let activity = 0;
      for (const { key, value } of await list<ActivityRecord>(KEYS.activityAll)) {
        if (value.startAt < activityBefore) {
          await kv.delete(key);
          activity++;
        }
      }
      for (const { key, value } of await list<ActivityRecord>(KEYS.activityAtAll)) {
        if (value.startAt < activityBefore) await kv.delete(key);
      }
      for (const { key, value } of await list<IdempotencyRecord>(KEYS.idempotencyPrefix)) {
        if (value.expiresAt <= now) await kv.delete(key);
      }
      for (const { key, value } of await list<number>(KEYS.proofPrefix)) {
        if (value <= now) await kv.delete(key);
      }
      return { sessions, activity };
    },
  };
}

/** The time index of a product's activity (stats and the live feed walk it newest first). */
async function indexByTime(kv: KvLike, e: ActivityRecord, seq: string): Promise<void> {
  await kv.set(KEYS.activityAt(e.product, e.env, e.startAt, seq), withoutData(e));
}
