/**
 * The server's storage contract. Every store passes test/server/store-suite.ts.
 * Times are milliseconds since the epoch. Nothing here is a usable credential: refresh
 * tokens are stored as SHA-256 hashes, session data and the grace pair are sealed.
 * A store must be strongly consistent: `rotateRefresh` is a compare-and-set, which rules
 * out eventually consistent KV (DESIGN.md).
 */

import type { ActivityEvent, SessionScope } from "../../shared/protocol.js";

/** The session config a record belongs to (the wire protocol's SessionScope). */
export type Scope = SessionScope;

export interface StoredSession extends Scope {
  id: string;
  identifier: string;
  /** The session data as a JWE under the server's data key (encrypted at rest). */
  data: string;
  createdAt: number;
  /** End of the current refresh token's life; the session ends with it unless refreshed. */
  refreshExpiresAt: number;
  revokedAt: number | null;
  /** SHA-256 (base64url) of the current refresh token. */
  refreshHash: string;
  /** 0 at start, +1 per rotation. */
  generation: number;
  /** When the current generation was made (null before the first rotation). */
  rotatedAt: number | null;
  /** The current pair, sealed for the holder of the previous refresh token (grace window). */
  sealedPair: string | null;
  /** A bound session's DPoP key thumbprint (RFC 9449 §6.1), fixed at start; null or absent: unbound. */
  jkt?: string | null;
}

/** A rotation as compare-and-set: applies only if the session still has `expectedHash` and is not revoked. */
export interface Rotation {
  sessionId: string;
  expectedHash: string;
  nextHash: string;
  /** Must be the stored generation + 1. */
  nextGeneration: number;
  rotatedAt: number;
  refreshExpiresAt: number;
  sealedPair: string;
}

export interface RevokeFilter extends Scope {
  sessionId?: string;
  identifier?: string;
  excludeSessionId?: string;
}

export interface Paging {
  offset: number;
  limit: number;
}

export interface SessionQuery extends Scope, Paging {
  identifier?: string;
  /** Only sessions neither revoked nor past refreshExpiresAt at `now`. */
  activeOnly: boolean;
  now: number;
}

export interface StoredUser {
  identifier: string;
  firstSeen: number;
  lastSeen: number;
  totalSessions: number;
  activeSessions: number;
}

export interface ActivityRecord extends Scope {
  operation: ActivityEvent["operation"];
  status: ActivityEvent["status"];
  startAt: number;
  endAt: number;
  message: string;
  sessionId: string | null;
  identifier: string;
  action?: string;
  /** JSON text (track only). */
  data?: string;
}

/** A product and one of its envs: the unit the stores key users and activity by. */
export interface ProductEnv {
  product: string;
  env: string;
}

export interface ActivityQuery extends Paging {
  identifier: string;
  /** The products and envs to read (at least one): what the request named, within the caller's key. */
  scopes: ProductEnv[];
  tag?: string;
  from?: number;
  to?: number;
  operation?: ActivityRecord["operation"];
  status?: ActivityRecord["status"];
}

/**
 * Users of some products and envs (one tag, or all), one row per identifier: a user seen under
 * several tags, products or envs is merged (first seen the earliest, last seen the latest,
 * sessions summed). Bounded: per product and env the store reads at most `scanLimit` user rows
 * from an index, the most recently seen first, or with `search` those whose identifier starts
 * with it, in identifier order; `tag` and `activeOnly` filter what was read. `truncated` says
 * that a product and env had more rows than were read.
 */
export interface UserQuery extends Paging {
  scopes: ProductEnv[];
  tag?: string;
  now: number;
  search?: string;
  activeOnly?: boolean;
  scanLimit: number;
}

export interface UserList {
  total: number;
  users: StoredUser[];
  truncated: boolean;
}

/**
 * A time range of a product's activity across all its users (stats, the console's live feed).
 * The stores walk an index on (product, env, startAt) newest first and stop after `limit`
 * events, so one query never reads more than `limit` rows; `tag` filters what was read.
 */
export interface ActivityRangeQuery {
  product: string;
  env: string;
  tag?: string;
  /** Inclusive. */
  from: number;
  /** Exclusive. */
  to: number;
  limit: number;
}

/** Active sessions of a product and env (optionally one tag) at `now`, counted up to `limit`. */
export interface ActiveCountQuery {
  product: string;
  env: string;
  tag?: string;
  now: number;
  limit: number;
}

export interface TrackUsage {
  events: number;
  dataLength: number;
}

export interface IdempotencyRecord {
  key: string;
  bodyHash: string;
  expiresAt: number;
  /** Null while the first request is still running. */
  sessionId: string | null;
  /** The first answer, sealed under a key derived from the server secret and the idempotency key. */
  sealedResponse: string | null;
}

export interface SessionStore {
  /** Stores a new session, registers its refresh hash as generation 0 and counts it for its user. */
  createSession(session: StoredSession): Promise<void>;
  getSession(id: string): Promise<StoredSession | null>;
  /** Which session and generation a refresh-token hash belongs to, current or past. */
  findRefreshHash(hash: string): Promise<{ sessionId: string; generation: number } | null>;
  /** Atomic compare-and-set; true when this call made the new generation. */
  rotateRefresh(rotation: Rotation): Promise<boolean>;
  /** Marks matching active sessions revoked; returns how many it revoked. */
  revokeSessions(filter: RevokeFilter, at: number): Promise<number>;
  listSessions(query: SessionQuery): Promise<{ total: number; sessions: StoredSession[] }>;
  listUsers(query: UserQuery): Promise<UserList>;
  /** Appends an event and moves its user's last-seen time. */
  recordActivity(event: ActivityRecord): Promise<void>;
  /**
   * Appends events in order, in as few writes as the store can. Optional: a store that offers it
   * has its activity written in batches after the answer is sent (activity-queue.ts), so only a
   * store in a long-lived process should (not D1: a Worker may stop once it has answered).
   */
  recordActivities?(events: ActivityRecord[]): Promise<void>;
  /** Oldest first. */
  listActivity(query: ActivityQuery): Promise<{ total: number; events: ActivityRecord[] }>;
  /** Newest first (no `data`); `scanned` counts the events read, at most `limit`, before the tag filter. */
  scanActivity(query: ActivityRangeQuery): Promise<{ events: ActivityRecord[]; scanned: number }>;
  /** At most `limit`. */
  countActiveSessions(query: ActiveCountQuery): Promise<number>;
  /**
   * How many `track` events a session has recorded, and the total length (characters) of their
   * `data` texts, until purged: the server caps both per session (`trackLimits`).
   */
  trackUsage(session: Pick<StoredSession, "id" | "product" | "env" | "identifier">): Promise<TrackUsage>;
  /**
   * Claims an idempotency key. Returns null when this call claimed it (new, or the old
   * claim expired), else the live record, unchanged.
   */
  claimIdempotency(record: { key: string; bodyHash: string; expiresAt: number; now: number }): Promise<IdempotencyRecord | null>;
  completeIdempotency(key: string, sessionId: string, sealedResponse: string): Promise<void>;
  releaseIdempotency(key: string): Promise<void>;
  /**
   * Records a DPoP proof's `<jkt>.<jti>` until `expiresAt`. True when this call recorded it (new,
   * or its earlier record expired by `now`); false for a replay (RFC 9449 §11.1).
   */
  claimProofJti(key: string, expiresAt: number, now: number): Promise<boolean>;
  /** Removes sessions ended before `sessionsBefore`, activity older than `activityBefore`, expired idempotency keys and DPoP proof records. */
  purge(cutoffs: { now: number; sessionsBefore: number; activityBefore: number }): Promise<{ sessions: number; activity: number }>;
  close?(): Promise<void>;
}
