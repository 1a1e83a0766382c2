import { isHTTPError, isTimeoutError } from "ky";
import { ERROR_STATUS, SessionError, isErrorCode, isSessionError, type SessionErrorCode } from "../shared/errors.js";
import type { EndReason } from "./types.js";

/**
 * Maps anything a request can throw to a SessionError (issue 2, Behaviour 5). ky's own errors
 * are never kept as `cause`: they hold the Request, whose headers carry the access key.
 * `secrets` (the key and tokens sent) are scrubbed from any message the server echoes.
 */
export async function toSessionError(error: unknown, secrets: readonly unknown[]): Promise<SessionError> {
  if (isSessionError(error)) return error;
  if (!isHTTPError(error)) {
    // fetch rejects with a TypeError for DNS, refused connections, CORS and offline.
    return isTimeoutError(error)
      ? new SessionError("TIMEOUT", "the sessions endpoint did not answer in time", { status: 0 })
      : new SessionError("NETWORK_ERROR", "the sessions endpoint could not be reached", { status: 0 });
  }
  const { status } = error.response;
  // An empty or non-JSON body (a proxy's 502 page) maps by status alone.
  const body = (await error.response.json().catch(() => undefined)) as { error?: Record<string, unknown> } | undefined;
  const { code, message, field } = (typeof body?.error === "object" && body.error) || {};
  return new SessionError(
    isErrorCode(code) ? code : codeForStatus(status),
    redact(typeof message === "string" ? message : `the sessions endpoint answered ${status}`, secrets),
    { status, field: typeof field === "string" ? field : undefined },
  );
}

/**
 * A 4xx without a known code: the first code with that status in ERROR_STATUS, whose order puts
 * the generic one first (400 INVALID_ARGUMENT, 401 UNAUTHORIZED, 403 FORBIDDEN, 404 NOT_FOUND;
 * http.test.ts pins this). 408, 429 and 5xx: SERVER_ERROR.
 */
function codeForStatus(status: number): SessionErrorCode {
  const codes = Object.keys(ERROR_STATUS) as SessionErrorCode[];
  return (status < 500 && codes.find((code) => ERROR_STATUS[code] === status)) || "SERVER_ERROR";
}

export function redact(text: string, secrets: readonly unknown[]): string {
  for (const secret of secrets) if (typeof secret === "string" && secret.length > 7) text = text.split(secret).join("[redacted]");
  return text;
}

/** The only answers that end a stored session (RFC 9700 §4.14 reuse, revocation, expiry). */
const AUTHORITATIVE: Partial<Record<SessionErrorCode, EndReason>> = {
  REFRESH_REUSED: "reuse_detected",
  REFRESH_EXPIRED: "expired",
  REFRESH_INVALID: "invalid",
  SESSION_REVOKED: "revoked",
};

export const endReasonFor = (error: unknown): EndReason | undefined =>
  isSessionError(error) ? AUTHORITATIVE[error.code] : undefined;
