import { endOf, isActive, sameScope, withoutData } from "./records.js";
import { byCodePoint, listMergedUsers, prefixEnd } from "./user-rows.js";
import type { ActivityRecord, IdempotencyRecord, Scope, SessionStore, StoredSession } from "./types.js";

/**
 * Everything in process memory: tests and single-instance development. Each method runs
 * without an await between its read and its write, which is what makes rotation atomic here.
 */
export function memoryStore(): SessionStore {
  const sessions = new Map<string, StoredSession>();
  const hashes = new Map<string, { sessionId: string; generation: number }>();
  const users = new Map<string, { identifier: string; firstSeen: number; lastSeen: number; totalSessions: number } & Scope>();
  let activity: ActivityRecord[] = [];
  const idempotency = new Map<string, IdempotencyRecord>();
  const proofs = new Map<string, number>();

  const userKey = (s: Scope, identifier: string) => JSON.stringify([s.product, s.env, s.tag, identifier]);
  const record = (event: ActivityRecord) => {
    activity.push({ ...event });
    const user = users.get(userKey(event, event.identifier));
    if (user) user.lastSeen = Math.max(user.lastSeen, event.endAt);
  };

  return {
    async createSession(session) {
      sessions.set(session.id, { ...session });
      hashes.set(session.refreshHash, { sessionId: session.id, generation: session.generation });
      const key = userKey(session, session.identifier);
      const user = users.get(key);
      if (user) {
        user.totalSessions += 1;
        user.lastSeen = Math.max(user.lastSeen, session.createdAt);
      } else {
        users.set(key, { product: session.product, env: session.env, tag: session.tag, identifier: session.identifier, firstSeen: session.createdAt, lastSeen: session.createdAt, totalSessions: 1 });
      }
    },
    async getSession(id) {
      const s = sessions.get(id);
      return s ? { ...s } : null;
    },
    async findRefreshHash(hash) {
      const found = hashes.get(hash);
      return found ? { ...found } : null;
    },
    async rotateRefresh(r) {
      const s = sessions.get(r.sessionId);
      if (!s || s.revokedAt !== null || s.refreshHash !== r.expectedHash || s.generation + 1 !== r.nextGeneration) return false;
      Object.assign(s, {
        refreshHash: r.nextHash,
        generation: r.nextGeneration,
        rotatedAt: r.rotatedAt,
        refreshExpiresAt: r.refreshExpiresAt,
        sealedPair: r.sealedPair,
      });
      hashes.set(r.nextHash, { sessionId: s.id, generation: r.nextGeneration });
      return true;
    },
    async revokeSessions(filter, at) {
      let count = 0;
      for (const s of sessions.values()) {
        if (!sameScope(s, filter) || !isActive(s, at)) continue;
        if (filter.sessionId !== undefined && s.id !== filter.sessionId) continue;
        if (filter.identifier !== undefined && s.identifier !== filter.identifier) continue;
        if (filter.excludeSessionId !== undefined && s.id === filter.excludeSessionId) continue;
        s.revokedAt = at;
        count++;
      }
      return count;
    },
    async listSessions(q) {
      const all = [...sessions.values()]
        .filter((s) => sameScope(s, q) && (q.identifier === undefined || s.identifier === q.identifier) && (!q.activeOnly || isActive(s, q.now)))
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
      return { total: all.length, sessions: all.slice(q.offset, q.offset + q.limit).map((s) => ({ ...s })) };
    },
    async listUsers(q) {
      // Active sessions per user row, counted in one pass over the sessions when first needed.
      let active: Map<string, number> | undefined;
      const activeOf = (u: Scope & { identifier: string }) => {
        if (!active) {
          active = new Map();
          for (const s of sessions.values()) {
            if (!isActive(s, q.now)) continue;
            const key = userKey(s, s.identifier);
            active.set(key, (active.get(key) ?? 0) + 1);
          }
        }
        return active.get(userKey(u, u.identifier)) ?? 0;
      };
      return listMergedUsers({
        async read(scope, query, withActive) {
          const mine = [...users.values()].filter((u) => u.product === scope.product && u.env === scope.env);
          const search = query.search;
          const end = search === undefined ? undefined : prefixEnd(search);
          const rows = search === undefined
            ? mine.sort((a, b) => b.lastSeen - a.lastSeen)
            : mine.filter((u) => byCodePoint(u.identifier, search) >= 0 && (end === undefined || byCodePoint(u.identifier, end) < 0))
                .sort((a, b) => byCodePoint(a.identifier, b.identifier));
          return rows.slice(0, query.scanLimit).map((u) => ({ ...u, ...(withActive ? { activeSessions: activeOf(u) } : {}) }));
        },
        async activeOf(rows) {
          return rows.map(activeOf);
        },
      }, q);
    },
    async recordActivity(event) {
      record(event);
    },
    async recordActivities(events) {
      events.forEach(record);
    },
    async listActivity(q) {
      const all = activity
        .map((e, seq) => ({ e, seq }))
        .filter(({ e }) =>
          e.identifier === q.identifier && q.scopes.some((p) => p.product === e.product && p.env === e.env) &&
          (q.tag === undefined || e.tag === q.tag) && (q.from === undefined || e.startAt >= q.from) && (q.to === undefined || e.startAt <= q.to) &&
          (q.operation === undefined || e.operation === q.operation) && (q.status === undefined || e.status === q.status))
        .sort((a, b) => a.e.startAt - b.e.startAt || a.seq - b.seq);
      return { total: all.length, events: all.slice(q.offset, q.offset + q.limit).map(({ e }) => ({ ...e })) };
    },
    async scanActivity(q) {
      const read = activity
        .map((e, seq) => ({ e, seq }))
        .filter(({ e }) => e.product === q.product && e.env === q.env && e.startAt >= q.from && e.startAt < q.to)
        .sort((a, b) => b.e.startAt - a.e.startAt || b.seq - a.seq)
        .slice(0, q.limit);
      return { events: read.filter(({ e }) => q.tag === undefined || e.tag === q.tag).map(({ e }) => withoutData(e)), scanned: read.length };
    },
    async countActiveSessions(q) {
      let n = 0;
      for (const s of sessions.values()) {
        if (n >= q.limit) break;
        if (s.product === q.product && s.env === q.env && (q.tag === undefined || s.tag === q.tag) && isActive(s, q.now)) n++;
      }
      return n;
    },
    async trackUsage(session) {
      const tracked = activity.filter((e) => e.sessionId === session.id && e.operation === "track");
      return { events: tracked.length, dataLength: tracked.reduce((sum, e) => sum + (e.data?.length ?? 0), 0) };
    },
    async claimIdempotency(claim) {
      const existing = idempotency.get(claim.key);
      if (existing && existing.expiresAt > claim.now) return { ...existing };
      idempotency.set(claim.key, { key: claim.key, bodyHash: claim.bodyHash, expiresAt: claim.expiresAt, sessionId: null, sealedResponse: null });
      return null;
    },
    async completeIdempotency(key, sessionId, sealedResponse) {
      const record = idempotency.get(key);
      if (record) Object.assign(record, { sessionId, sealedResponse });
    },
    async releaseIdempotency(key) {
      idempotency.delete(key);
    },
    async claimProofJti(key, expiresAt, now) {
      if ((proofs.get(key) ?? -Infinity) > now) return false;
      proofs.set(key, expiresAt);
      return true;
    },
    async purge({ now, sessionsBefore, activityBefore }) {
      let removed = 0;
      for (const s of [...sessions.values()]) {
        if (endOf(s) < sessionsBefore) {
          sessions.delete(s.id);
          removed++;
        }
      }
      for (const [hash, owner] of hashes) if (!sessions.has(owner.sessionId)) hashes.delete(hash);
      const before = activity.length;
      activity = activity.filter((e) => e.startAt >= activityBefore);
      for (const [key, record] of idempotency) if (record.expiresAt <= now) idempotency.delete(key);
      for (const [key, expiresAt] of proofs) if (expiresAt <= now) proofs.delete(key);
      return { sessions: removed, activity: before - activity.length };
    },
  };
}
