import type { SessionError } from "../shared/errors.js";
import type {
  ActivityOperation, ActivityResult, ListActiveResult, ListUsersResult, RevokeResult, SessionData, SessionScope, SessionTokens, VerifyResult,
} from "../shared/protocol.js";
import type { SessionStorage } from "../storage/types.js";
import type { DpopKey } from "./dpop.js";

export interface ClientOptions {
  /** The sessions endpoint, e.g. `https://auth.example.com` (paths `/v1/...` are appended). */
  baseUrl: string | URL;
  /** Sent as `Authorization: Bearer <key>`; publishable (`tpk_`) in browsers, secret (`tsk_`) on servers. */
  accessKey?: string;
  /** Defaults for every call; each call may override them. */
  product?: string;
  env?: string;
  /** Default: encrypted IndexedDB where IndexedDB exists, memory elsewhere. */
  storage?: SessionStorage;
  /** Default: the global fetch (resolved per request). */
  fetch?: (request: Request) => Promise<Response>;
  /** Per-attempt request timeout in milliseconds (default 10 000). */
  timeout?: number;
  /** Refresh this many ms before expiry (default: min(60 s, 10% of the token's lifetime)). */
  refreshMargin?: number;
  /** Retries for refresh and start (default 2; ky's 300 ms, 600 ms back-off with jitter). Other calls never retry. */
  retries?: number;
  /** Refresh in the background before expiry (default: true in a page, false elsewhere). */
  autoRefresh?: boolean;
  /** Share sessions with other tabs over BroadcastChannel; a string names the channel (default: on in a page). */
  broadcast?: boolean | string;
  /** Clock in ms, for tests. */
  now?: () => number;
  /** Bind sessions to this page's key (RFC 9449): `dpop: dpopKey()`; every call then carries a proof (docs/dpop.md). */
  dpop?: DpopKey;
}

/** Which session a call is about; `product` and `env` fall back to the client's defaults. */
export interface ScopeArgs {
  tag: string;
  product?: string;
  env?: string;
}

export interface AttachArgs extends ScopeArgs {
  /**
   * Further origins that may receive the session token, e.g. `["https://api.example.com"]`.
   * Always allowed: the page's own origin (none outside a browser) and the endpoint's (`baseUrl`).
   */
  origins?: string[];
}

/** A session as the client keeps it: the server's answer plus its scope. */
export interface Session extends SessionTokens, SessionScope {}

export type EndReason = "ended" | "revoked" | "expired" | "reuse_detected" | "invalid";

interface ChangeBase extends SessionScope {
  /** `remote` when another tab (or client) made the change. */
  source: "local" | "remote";
}

export type SessionChange =
  | (ChangeBase & { type: "started" | "refreshed"; session: Session })
  | (ChangeBase & { type: "ended"; reason: EndReason })
  | { type: "error"; error: SessionError; source: "local"; product?: string; env?: string; tag?: string };

export type ChangeListener = (change: SessionChange) => void;

export type RevokeArgs = ScopeArgs & ({ sessionId: string } | { identifier: string } | { refreshToken: string });

/** `tessera.sessions` */
export interface Sessions {
  /** Starts a session (secret key, or a `public: true` tag) and stores it unless `persist: false`. */
  start(args: ScopeArgs & { data: SessionData; persist?: boolean; /** Bind the session to the page's key (backend flow, docs/dpop.md). */ dpop?: { jkt: string } }): Promise<SessionTokens>;
  /** Stores a session your backend started (with its secret key) and handed to this client. */
  adopt(args: ScopeArgs & SessionTokens): Promise<Session>;
  /** Rotates the stored session now; or the given refresh token (stored too if it was the stored one). */
  refresh(args: ScopeArgs & { refreshToken?: string }): Promise<Session>;
  /** Verifies a token (default: the stored one). No token and no session: `{ valid: false, reason: "not_found" }`, no request. */
  verify(args: ScopeArgs & { token?: string; /** A bound token's proof as the backend received it (docs/dpop.md). */ dpop?: { proof: string; method: string; url: string } }): Promise<VerifyResult>;
  /** Revokes by exactly one of sessionId, identifier, refreshToken; ends it here too if it is the stored one. */
  revoke(args: RevokeArgs): Promise<RevokeResult>;
  /** Revokes an identifier's sessions, optionally keeping one. */
  revokeAll(args: ScopeArgs & { identifier: string; excludeSessionId?: string }): Promise<RevokeResult>;
  /** Lists sessions (secret key), paged. */
  listActive(args: ScopeArgs & { identifier?: string; page?: number; limit?: number }): Promise<ListActiveResult>;
  /**
   * Records an action in the stored session's timeline (its token is the credential: a
   * publishable key is enough). `at` (a Date or ISO 8601, default now) may lie up to 7 days back. No
   * stored session: SESSION_NOT_FOUND, no request.
   */
  track(args: ScopeArgs & { action: string; data?: SessionData; at?: Date | string }): Promise<void>;
  /** The stored session, refreshed first when inside the refresh margin; null when there is none. */
  get(args: ScopeArgs): Promise<Session | null>;
  /**
   * Logs out: clears the stored session (so it works offline), then revokes it on the server.
   * A network failure is thrown after the local session is gone; "already gone" is not an error.
   */
  end(args: ScopeArgs): Promise<RevokeResult>;
  /** started / refreshed / ended (with reason) / error, local or from another tab. Returns unsubscribe. */
  onChange(listener: ChangeListener): () => void;
  /**
   * A ky `beforeRequest` hook attaching `Authorization: Session <tag>:<jwt>` (refreshed first
   * when due) to requests for the page's own origin, the endpoint's origin and `origins`; an
   * `Authorization` the request already has is never replaced. Typed as the plain function it
   * is, which ky's `BeforeRequestHook` accepts, not as ky's type: importing ky's declarations
   * into ours would make every user compile them, and they do not compile against
   * @cloudflare/workers-types (its RequestInit has no `credentials`).
   */
  kyHook(args: AttachArgs): (request: Request) => Promise<void>;
  /**
   * A fetch that attaches the session the same way, to the same origins; `fetchImpl` defaults to
   * the global fetch. `Request | string | URL` is what the DOM lib calls `RequestInfo | URL`,
   * spelled out: @types/node declares no `RequestInfo`, so a Node project without the DOM lib
   * could not compile it.
   */
  fetch(args: AttachArgs, fetchImpl?: (request: Request) => Promise<Response>): (input: Request | string | URL, init?: RequestInit) => Promise<Response>;
}

/** `tessera.users`: secret key only (a backend's view of who uses its sessions). */
export interface Users {
  /**
   * Session users, most recently seen first, one row per identifier across the tags (or one
   * `tag`), products and envs asked for: `product` and `env` fall back to the client's defaults,
   * and without them every product and env the key reaches. `search` matches the start of
   * identifiers, `active` keeps those with an active session.
   */
  list(args: { product?: string; env?: string; tag?: string; search?: string; active?: boolean; page?: number; limit?: number }): Promise<ListUsersResult>;
  /** An identifier's timeline across the tags (or one `tag`), products and envs asked for, as for `list`; oldest first. */
  activity(args: {
    identifier: string;
    product?: string;
    env?: string;
    tag?: string;
    operation?: ActivityOperation;
    status?: "success" | "fail";
    from?: Date | string;
    to?: Date | string;
    page?: number;
    limit?: number;
  }): Promise<ActivityResult>;
}
