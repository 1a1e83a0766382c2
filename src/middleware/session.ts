import type { SessionData } from "../shared/protocol.js";

/** What `sessionAuth` attaches to a request (`c.var.session` in Hono, `req.tessera` in Express). */
export interface AuthenticatedSession {
  sessionId: string;
  identifier: string;
  /** ISO 8601: when the session token expires. */
  expiresAt: string;
  product: string;
  env: string;
  tag: string;
  /** `"offline"` or `"endpoint"`: how it was checked. */
  checkedBy: "offline" | "endpoint";
  /** The session data: endpoint mode with a secret access key only (offline, nobody but the server can decrypt it). */
  data?: SessionData;
}

/** The 401/503 a middleware answers with: our JSON error body (docs/errors.md) and its headers. */
export interface AuthFailure {
  status: number;
  headers: Record<string, string>;
  body: string;
}
