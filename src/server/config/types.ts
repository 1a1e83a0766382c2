import type { JWK } from "jose";
import type { SESSION_TOKEN_ALGS } from "../../verify/claims.js";
import type { SessionStore } from "../stores/types.js";
import type { CorsOptions } from "../http/cors.js";
import type { AccessKeysInput } from "../http/access.js";
import type { StandardSchemaV1 } from "./standard-schema.js";

export const PERIODS = ["secs", "mins", "hours", "days", "weeks", "months", "years"] as const;
export type Period = (typeof PERIODS)[number];

/** `"string" | "number" | "boolean"`, a trailing `?` for optional; nesting by objects. */
export type SchemaLeaf = "string" | "number" | "boolean" | "string?" | "number?" | "boolean?";
export interface TypeMap {
  [field: string]: SchemaLeaf | TypeMap;
}

export interface SessionConfigInput {
  tag: string;
  name?: string;
  description?: string;
  schema: TypeMap | StandardSchemaV1;
  /** `$Session{userId}`: the primitive in `data` that identifies the session's user. */
  selector: string;
  expiry: number;
  period: Period;
  /** Lifetime of a refresh token, renewed on every rotation. Default 30 days. */
  refresh?: { expiry: number; period: Period };
  /**
   * Absolute lifetime of a session from its start, however often it is refreshed
   * (OWASP ASVS 5.0 7.3.2). No token outlives it. Default: none.
   */
  maxLifetime?: { expiry: number; period: Period };
  /** Guest sessions: publishable keys may start them; their identifiers are `guest:<value>`. */
  public?: boolean;
  /**
   * `"dpop"`: every session is bound to the key of the browser that holds it (RFC 9449,
   * docs/dpop.md); its tokens are refused without a proof from that key. Default: unbound.
   */
  binding?: "dpop";
  /**
   * Verify answers `data` to publishable keys too (a page reading its own session's data).
   * Default false: `data` goes only to secret keys, since anyone holding a token and the
   * publishable key (which every visitor has) could otherwise read it in clear.
   */
  exposeData?: boolean;
}

export interface ProductInput {
  tag: string;
  name?: string;
  envs: string[];
  sessions: SessionConfigInput[];
}

/** The algorithms a session token may be signed with (verify/claims.ts holds the list). */
export type SigningAlg = (typeof SESSION_TOKEN_ALGS)[number];

export interface SessionServerOptions {
  /** The `iss` claim, usually the endpoint's origin. */
  issuer: string;
  /** Private JWKs with `kid` and `alg`; `keys[0]` signs, all verify. */
  keys: JWK[];
  /** At least 32 bytes; input keying material of HKDF for the data-encryption key. */
  secret: string;
  store: SessionStore;
  products: ProductInput[];
  /** Plain keys reach every product; `{ key, products, envs? }` only those (403 elsewhere). */
  accessKeys: AccessKeysInput;
  /** How long the immediately previous refresh token gets the current pair back. Default 10. */
  refreshGraceSeconds?: number;
  /** Request bodies over this are refused with 413. Default 65536. */
  maxBodyBytes?: number;
  /**
   * Per session, until purged: at most `events` track events (default 1,000) holding at most
   * `dataLength` characters of data JSON together (default 262,144). Past either, track answers
   * 429 TRACK_LIMIT_REACHED: one session (a guest's too) cannot fill the store.
   */
  trackLimits?: { events?: number; dataLength?: number };
  /** Activity older than this is removed by purge(). Default 90. */
  activityRetentionDays?: number;
  /** Browser apps on other origins. Off by default (same-origin only). */
  cors?: CorsOptions;
  /** DPoP (docs/dpop.md): `nonces: true` makes proofs carry a server nonce (RFC 9449 §8). Default off. */
  dpop?: { nonces?: boolean };
  /** Milliseconds since the epoch; for tests. */
  now?: () => number;
  /** Unexpected internal errors, for logging. Never receives tokens or keys. */
  onError?: (error: unknown) => void;
}

/** A session config after checking: what the handlers use. */
export interface SessionConfig {
  product: string;
  tag: string;
  name: string;
  description: string;
  envs: ReadonlySet<string>;
  validate: (data: unknown) => Promise<Record<string, unknown>>;
  selector: string[];
  expiry: { amount: number; period: Period };
  refresh: { amount: number; period: Period };
  maxLifetime: { amount: number; period: Period } | null;
  public: boolean;
  binding: "dpop" | null;
  exposeData: boolean;
}
