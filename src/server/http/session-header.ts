import { SessionError } from "../../shared/errors.js";

/**
 * Header carrying the caller's own session token when `Authorization` already holds an access
 * key: revoke by sessionId with a publishable key, and track. Allowed through CORS (cors.ts).
 */
export const SESSION_TOKEN_HEADER = "x-session-token";

/** The session token of a request: `Authorization: Session <tag>:<jwt>`, else X-Session-Token; 401 without one. */
export function presentedSessionToken(request: Request): string {
  const match = /^Session\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  const token = match?.[1] ?? request.headers.get(SESSION_TOKEN_HEADER);
  if (!token) throw new SessionError("UNAUTHORIZED", "the session token is required (Authorization: Session <tag>:<jwt>)");
  return token;
}
