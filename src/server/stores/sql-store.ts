import { productEnvs, SCHEMA, SQL } from "./sql-schema.js";
import { listMergedUsers, prefixEnd } from "./user-rows.js";
import type { ActivityRecord, IdempotencyRecord, SessionStore, StoredSession } from "./types.js";

export type SqlValue = string | number | null;
export interface SqlStatement {
  sql: string;
  params: SqlValue[];
}

/** What a SQLite-dialect database must offer: better-sqlite3 and D1 each fit in a few lines. */
export interface SqlDriver {
  all(sql: string, params: SqlValue[]): Promise<Record<string, unknown>[]>;
  /** Runs the statements in order in one transaction; returns the rows each changed. */
  batch(statements: SqlStatement[]): Promise<number[]>;
  /** `batch` for writes no answer waits on (activity): may wait to share another write's commit. */
  batchLater?(statements: SqlStatement[]): Promise<number[]>;
}

const st = (sql: string, ...params: SqlValue[]): SqlStatement => ({ sql, params });

/** The SessionStore over any SqlDriver; the schema is created on first use. */
export function sqlStore(driver: SqlDriver): SessionStore {
  let ready: Promise<unknown> | undefined;
  const db = () => (ready ??= driver.batch(SCHEMA.map((sql) => st(sql))).catch((error) => {
    ready = undefined;
    throw error;
  }));
  const all = async (sql: string, params: SqlValue[]) => (await db(), driver.all(sql, params));
  const batch = async (statements: SqlStatement[]) => (await db(), driver.batch(statements));
  const batchLater = async (statements: SqlStatement[]) => (await db(), (driver.batchLater ?? driver.batch).call(driver, statements));

  return {
    async createSession(s) {
      await batch([
        st(SQL.insertSession, s.id, s.product, s.env, s.tag, s.identifier, s.data, s.createdAt, s.refreshExpiresAt,
          s.revokedAt, s.refreshHash, s.generation, s.rotatedAt, s.sealedPair),
        st(SQL.insertHash, s.refreshHash, s.id, s.generation),
        st(SQL.countUserSession, s.product, s.env, s.tag, s.identifier, s.createdAt, s.createdAt),
        ...(s.jkt ? [st(SQL.insertDpopKey, s.id, s.jkt)] : []),
      ]);
    },
    async getSession(id) {
      const [row] = await all(SQL.getSession, [id]);
      return row ? toSession(row) : null;
    },
    async findRefreshHash(hash) {
      const [row] = await all(SQL.findHash, [hash]);
      return row ? { sessionId: String(row.session_id), generation: Number(row.generation) } : null;
    },
    async rotateRefresh(r) {
      const [changed] = await batch([
        st(SQL.rotate, r.nextHash, r.nextGeneration, r.rotatedAt, r.refreshExpiresAt, r.sealedPair,
          r.sessionId, r.expectedHash, r.nextGeneration - 1),
        st(SQL.registerRotatedHash, r.sessionId, r.nextHash),
      ]);
      return changed === 1;
    },
    async revokeSessions(f, at) {
      const params: SqlValue[] = [at, f.product, f.env, f.tag, at];
      if (f.sessionId !== undefined) params.push(f.sessionId);
      if (f.identifier !== undefined) params.push(f.identifier);
      if (f.excludeSessionId !== undefined) params.push(f.excludeSessionId);
      const [changed] = await batch([{ sql: SQL.revoke(f), params }]);
      return changed ?? 0;
    },
    async listSessions(q) {
      const params: SqlValue[] = [q.product, q.env, q.tag];
      if (q.identifier !== undefined) params.push(q.identifier);
      if (q.activeOnly) params.push(q.now);
      const where = SQL.sessionsWhere(q);
      const [count] = await all(`SELECT count(*) AS n ${where}`, params);
      const rows = await all(`SELECT * ${where} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`, [...params, q.limit, q.offset]);
      return { total: Number(count?.n ?? 0), sessions: rows.map(toSession) };
    },
    async listUsers(q) {
      return listMergedUsers({
        async read({ product, env }, query, withActive) {
          const end = query.search === undefined ? undefined : prefixEnd(query.search);
          const params: SqlValue[] = [...(withActive ? [query.now] : []), product, env];
          if (query.search !== undefined) params.push(query.search, ...(end !== undefined ? [end] : []));
          const rows = await all(SQL.usersRead({ search: query.search !== undefined, end: end !== undefined, withActive }), [...params, query.scanLimit]);
          return rows.map((r) => ({
            product,
            env,
            tag: String(r.tag),
            identifier: String(r.identifier),
            firstSeen: Number(r.first_seen),
            lastSeen: Number(r.last_seen),
            totalSessions: Number(r.total_sessions),
            ...(withActive ? { activeSessions: Number(r.active_sessions) } : {}),
          }));
        },
        async activeOf(rows, now) {
          const key = (r: { product?: unknown; env?: unknown; tag?: unknown; identifier?: unknown }) => JSON.stringify([r.product, r.env, r.tag, r.identifier]);
          const counts = new Map<string, number>();
          // D1 binds at most 100 parameters a statement: now and 24 rows of 4.
          for (let at = 0; at < rows.length; at += 24) {
            const chunk = rows.slice(at, at + 24);
            const answer = await all(SQL.activeOfUsers(chunk.length), [now, ...chunk.flatMap((r) => [r.product, r.env, r.tag, r.identifier])]);
            for (const row of answer) counts.set(key(row), Number(row.n));
          }
          return rows.map((r) => counts.get(key(r)) ?? 0);
        },
      }, q);
    },
    async recordActivity(e) {
      await batch(activityStatements(e));
    },
    async recordActivities(events) {
      await batchLater(events.flatMap(activityStatements));
    },
    async listActivity(q) {
      const products = productEnvs(q.scopes);
      const params: SqlValue[] = [q.identifier, ...products.flatMap(([product, envs]) => [product, ...envs])];
      if (q.tag !== undefined) params.push(q.tag);
      if (q.from !== undefined) params.push(q.from);
      if (q.to !== undefined) params.push(q.to);
      if (q.operation !== undefined) params.push(q.operation);
      if (q.status !== undefined) params.push(q.status);
      const where = SQL.activityWhere(q, products);
      const [count] = await all(`SELECT count(*) AS n ${where}`, params);
      const rows = await all(`SELECT * ${where} ORDER BY start_at, seq LIMIT ? OFFSET ?`, [...params, q.limit, q.offset]);
      return { total: Number(count?.n ?? 0), events: rows.map(toActivity) };
    },
    async scanActivity(q) {
      const rows = await all(SQL.scanActivity, [q.product, q.env, q.from, q.to, q.limit]);
      const events = rows.map(toActivity).filter((e) => q.tag === undefined || e.tag === q.tag);
      return { events, scanned: rows.length };
    },
    async countActiveSessions(q) {
      const params: SqlValue[] = [q.product, q.env];
      if (q.tag !== undefined) params.push(q.tag);
      params.push(q.now, q.limit);
      const [row] = await all(SQL.countActive(q), params);
      return Number(row?.n ?? 0);
    },
    async trackUsage(session) {
      const [row] = await all(SQL.trackUsage, [session.id]);
      return { events: Number(row?.n ?? 0), dataLength: Number(row?.chars ?? 0) };
    },
    async claimIdempotency(c) {
      // Two tries: the key may be released between our INSERT and our SELECT.
      for (let attempt = 0; ; attempt++) {
        const [changed] = await batch([st(SQL.claimIdempotency, c.key, c.bodyHash, c.expiresAt, c.now)]);
        if (changed === 1) return null;
        const [row] = await all(SQL.getIdempotency, [c.key]);
        if (row) return toIdempotency(row);
        if (attempt === 1) throw new Error("idempotency key could not be claimed");
      }
    },
    async completeIdempotency(key, sessionId, sealedResponse) {
      await batch([st(SQL.completeIdempotency, sessionId, sealedResponse, key)]);
    },
    async releaseIdempotency(key) {
      await batch([st(SQL.releaseIdempotency, key)]);
    },
    async claimProofJti(key, expiresAt, now) {
      const [changed] = await batch([st(SQL.claimProof, key, expiresAt, now)]);
      return changed === 1;
    },
    async purge({ now, sessionsBefore, activityBefore }) {
      const [, , sessions, activity] = await batch([
        st(SQL.purgeHashes, sessionsBefore),
        st(SQL.purgeDpopKeys, sessionsBefore),
        st(SQL.purgeSessions, sessionsBefore),
        st(SQL.purgeActivity, activityBefore),
        st(SQL.purgeIdempotency, now),
        st(SQL.purgeProofs, now),
      ]);
      return { sessions: sessions ?? 0, activity: activity ?? 0 };
    },
  };
}

const activityStatements = (e: ActivityRecord): SqlStatement[] => [
  st(SQL.insertActivity, e.product, e.env, e.tag, e.identifier, e.sessionId, e.operation, e.status, e.startAt,
    e.endAt, e.message, e.action ?? null, e.data ?? null),
  st(SQL.touchUser, e.endAt, e.product, e.env, e.tag, e.identifier),
];

// A NULL column comes back as null from better-sqlite3, D1 and pg alike; undefined is tolerated.
const numberOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const textOrNull = (v: unknown) => (v === null || v === undefined ? null : String(v));

function toSession(r: Record<string, unknown>): StoredSession {
  return {
    id: String(r.id),
    product: String(r.product),
    env: String(r.env),
    tag: String(r.tag),
    identifier: String(r.identifier),
    data: String(r.data),
    createdAt: Number(r.created_at),
    refreshExpiresAt: Number(r.refresh_expires_at),
    revokedAt: numberOrNull(r.revoked_at),
    refreshHash: String(r.refresh_hash),
    generation: Number(r.generation),
    rotatedAt: numberOrNull(r.rotated_at),
    sealedPair: textOrNull(r.sealed_pair),
    // Only getSession joins the key table; an unbound session has no jkt, as in the other stores.
    ...(r.jkt !== null && r.jkt !== undefined ? { jkt: String(r.jkt) } : {}),
  };
}

function toActivity(r: Record<string, unknown>): ActivityRecord {
  return {
    product: String(r.product),
    env: String(r.env),
    tag: String(r.tag),
    identifier: String(r.identifier),
    sessionId: textOrNull(r.session_id),
    operation: String(r.operation) as ActivityRecord["operation"],
    status: String(r.status) as ActivityRecord["status"],
    startAt: Number(r.start_at),
    endAt: Number(r.end_at),
    message: String(r.message),
    ...(r.action !== null && r.action !== undefined ? { action: String(r.action) } : {}),
    ...(r.data !== null && r.data !== undefined ? { data: String(r.data) } : {}),
  };
}

function toIdempotency(r: Record<string, unknown>): IdempotencyRecord {
  return {
    key: String(r.key),
    bodyHash: String(r.body_hash),
    expiresAt: Number(r.expires_at),
    sessionId: textOrNull(r.session_id),
    sealedResponse: textOrNull(r.sealed_response),
  };
}
