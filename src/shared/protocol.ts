/**
 * The wire contract between the client and the sessions endpoint (docs/protocol.md).
 * Timestamps travel as ISO 8601 strings in UTC.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type SessionData = { [key: string]: Json };

/** Which session config a call is about. */
export interface SessionScope {
  product: string;
  env: string;
  tag: string;
}

/** `POST /v1/sessions/start` */
export interface StartRequest extends SessionScope {
  data: SessionData;
}

/** Answer of start and refresh. `token` is `"<tag>:<JWS>"`, `refreshToken` is `"<tag>:<opaque>"`. */
export interface SessionTokens {
  token: string;
  refreshToken: string;
  expiresAt: string;
  refreshExpiresAt: string;
  sessionId: string;
}

/** `POST /v1/sessions/refresh` */
export interface RefreshRequest extends SessionScope {
  refreshToken: string;
}

/** `POST /v1/sessions/verify` */
export interface VerifyRequest extends SessionScope {
  token: string;
}

export type VerifyFailureReason = "malformed" | "signature" | "expired" | "revoked" | "scope" | "not_found";

/**
 * `data` is present for secret keys, and for publishable keys only when the session config sets
 * `exposeData: true`.
 */
export type VerifyResult =
  | { valid: true; data?: SessionData; sessionId: string; identifier: string; expiresAt: string }
  | { valid: false; reason: VerifyFailureReason };

/** `POST /v1/sessions/revoke`: exactly one target. */
export type RevokeRequest = SessionScope &
  (
    | { sessionId: string; identifier?: never; refreshToken?: never }
    | { identifier: string; sessionId?: never; refreshToken?: never }
    | { refreshToken: string; sessionId?: never; identifier?: never }
  );

/** `POST /v1/sessions/revoke-all` */
export interface RevokeAllRequest extends SessionScope {
  identifier: string;
  excludeSessionId?: string;
}

export interface RevokeResult {
  revoked: number;
}

export interface Page {
  page?: number;
  limit?: number;
}

/** `GET /v1/sessions?product&env&tag&identifier&page&limit` */
export interface ListActiveRequest extends SessionScope, Page {
  identifier?: string;
}

export interface SessionSummary {
  sessionId: string;
  identifier: string;
  startAt: string;
  endAt: string;
  active: boolean;
}

export interface ListActiveResult {
  total: number;
  page: number;
  limit: number;
  sessions: SessionSummary[];
}

/** `GET /v1/users?product&env&tag&page&limit` */
export interface SessionUser {
  identifier: string;
  firstSeen: string;
  lastSeen: string;
  totalSessions: number;
  activeSessions: number;
}

export interface ListUsersResult {
  total: number;
  page: number;
  limit: number;
  /** A product and env held more user rows than one request reads (docs/protocol.md "Users"): `total` counts those read. */
  truncated: boolean;
  users: SessionUser[];
}

export type ActivityOperation = "create" | "verify" | "refresh" | "revoke" | "track";

/** One entry of `GET /v1/users/{identifier}/activity`. */
export interface ActivityEvent {
  operation: ActivityOperation;
  status: "success" | "fail";
  startAt: string;
  endAt: string;
  message: string;
  sessionId: string | null;
  identifier: string;
  product: string;
  env: string;
  tag: string;
  /** Only for `track`. */
  action?: string;
  data?: Json;
}

export interface ActivityResult {
  total: number;
  page: number;
  limit: number;
  events: ActivityEvent[];
}

/** `POST /v1/sessions/track` with `Authorization: Session <tag>:<jwt>` */
export interface TrackRequest {
  action: string;
  data?: Json;
  /** When it happened (ISO 8601), if not now: at most 7 days ago, not in the future. */
  at?: string;
}

/** What happened in a time bucket (or a whole range) of `GET /v1/stats`. */
export interface StatsCounts {
  starts: number;
  refreshes: number;
  verifies: { valid: number; invalid: Record<string, number> };
  revokes: number;
  /** Refresh tokens presented again after rotation (RFC 9700 §4.14.2): each revoked its session. */
  reuseDetections: number;
  /** Tracked actions by name. */
  actions: Record<string, number>;
  /** Failed operations by `<operation>:<reason>`, e.g. `verify:expired`, `refresh:reuse`. */
  failures: Record<string, number>;
}

export interface StatsBucket extends StatsCounts {
  /** Start of the bucket; it lasts `bucketSeconds`. */
  start: string;
}

/** `GET /v1/stats?product&env&tag&from&to&bucket` */
export interface StatsResult {
  product: string;
  env: string;
  tag?: string;
  from: string;
  to: string;
  bucketSeconds: number;
  /** Sessions active now (counted up to 100 000). */
  activeSessions: number;
  /** Identifiers with activity in the range. */
  distinctUsers: number;
  /** Events read for this answer (at most 50 000, newest first). */
  scanned: number;
  /** The cap was reached: the oldest part of the range is not counted. */
  truncated: boolean;
  totals: StatsCounts;
  buckets: StatsBucket[];
}

/** `GET /v1/activity?product&env&tag&from&to&limit`: a product's recent events across users, newest first. */
export interface RecentActivityResult {
  events: ActivityEvent[];
}

/** `GET /v1/products`: what the endpoint serves (for operator tools). */
export interface ProductsResult {
  products: { tag: string; envs: string[]; sessions: { tag: string; name: string }[] }[];
}

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

export const PROTOCOL_VERSION = "v1";
