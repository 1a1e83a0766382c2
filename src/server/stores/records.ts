import type { ActivityRecord, Scope, StoredSession } from "./types.js";

/**
 * What the stores and the handlers derive from a stored session, written once so that the
 * memory and Deno KV stores, the list answers and the SQL (sql-schema.ts ACTIVE and ENDED,
 * its counterpart) agree on when a session is active and when it ended.
 */

/** Same product, env and tag (the config a session, a token or a request belongs to). */
export const sameScope = (a: Scope, b: Scope): boolean => a.product === b.product && a.env === b.env && a.tag === b.tag;

/** Neither revoked nor past its refresh token's end at `now`. */
export const isActive = (s: StoredSession, now: number): boolean => s.revokedAt === null && s.refreshExpiresAt > now;

/** When the session ended or will end: revoked, or its refresh token's end, whichever is first. */
export const endOf = (s: StoredSession): number => Math.min(s.refreshExpiresAt, s.revokedAt ?? Infinity);

/** An event as range scans answer it: tracked data stays in the user's own timeline. */
export const withoutData = (e: ActivityRecord): ActivityRecord => {
  const { data: _data, ...rest } = e;
  return { ...rest };
};
