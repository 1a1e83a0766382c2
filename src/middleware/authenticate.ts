import { SessionError } from "../shared/errors.js";
import type { VerifyFailureReason, VerifyResult } from "../shared/protocol.js";
import { verifySessionToken } from "../verify/verify-token.js";
import { normalizeAuthOptions, type NormalizedAuthOptions, type SessionAuthOptions } from "./options.js";
import { presentedToken } from "./read-token.js";
import type { AuthFailure, AuthenticatedSession } from "./session.js";

export type AuthOutcome = { session: AuthenticatedSession; failure?: never } | { failure: AuthFailure; session?: never };

export interface Authenticator {
  /** Never rejects: a bad token is a 401, an unreachable JWKS or endpoint a 503. */
  authenticate(authorization: string | null | undefined, cookieHeader: string | null | undefined): Promise<AuthOutcome>;
}

const CODES: Record<VerifyFailureReason, "SESSION_EXPIRED" | "SESSION_REVOKED" | "SESSION_INVALID"> = {
  expired: "SESSION_EXPIRED",
  revoked: "SESSION_REVOKED",
  malformed: "SESSION_INVALID",
  signature: "SESSION_INVALID",
  scope: "SESSION_INVALID",
  not_found: "SESSION_INVALID",
};

const MESSAGES: Record<VerifyFailureReason, string> = {
  expired: "the session token has expired",
  revoked: "the session was revoked",
  malformed: "the session token is malformed",
  signature: "the session token's signature is not valid",
  scope: "the session token is for another product, env or tag",
  not_found: "the session does not exist",
};

/** The shared core of the Hono and Express middleware; framework-free, so both behave alike. */
export function createAuthenticator(options: SessionAuthOptions): Authenticator {
  const o = normalizeAuthOptions(options);
  const check = o.mode === "endpoint" ? endpointCheck(o) : offlineCheck(o);
  return {
    async authenticate(authorization, cookieHeader) {
      const token = presentedToken(authorization, cookieHeader, o.cookie);
      if (token === null) {
        const hint = o.cookie ? ` or the ${o.cookie} cookie` : "";
        // RFC 6750 §3.1: no error attribute when the request carried no credentials at all.
        return { failure: failure(o, new SessionError("UNAUTHORIZED", `the session token is required (Authorization: Session <tag>:<jwt>${hint})`), false) };
      }
      try {
        const result = await check(token);
        if (result.valid) return { session: result.session };
        return { failure: failure(o, new SessionError(CODES[result.reason], MESSAGES[result.reason]), true) };
      } catch (error) {
        try {
          o.onError(error);
        } catch {
          // A failing logger must not turn into a failing request.
        }
        // RFC 9110 §15.6.4: the keys or the endpoint are down, not the caller's fault; retry later.
        return { failure: failure(o, new SessionError("VERIFY_FAILED", "the session cannot be checked right now", { status: 503 }), false) };
      }
    },
  };
}

type Check = (token: string) => Promise<{ valid: true; session: AuthenticatedSession } | { valid: false; reason: VerifyFailureReason }>;

function offlineCheck(o: NormalizedAuthOptions): Check {
  const keys = o.jwks ? { jwks: o.jwks } : { jwksUrl: o.jwksUrl! };
  return async (token) => {
    const result = await verifySessionToken(token, { ...keys, issuer: o.issuer, ...o.scope });
    if (!result.valid) return result;
    const { sessionId, identifier, expiresAt } = result;
    return { valid: true, session: { sessionId, identifier, expiresAt, ...o.scope, checkedBy: "offline" } };
  };
}

function endpointCheck(o: NormalizedAuthOptions): Check {
  const url = new URL("v1/sessions/verify", o.endpoint!.endsWith("/") ? o.endpoint! : `${o.endpoint!}/`).href;
  return async (token) => {
    const response = await o.fetch(
      new Request(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${o.accessKey!}` },
        body: JSON.stringify({ ...o.scope, token }),
      }),
    );
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => {});
      throw new SessionError("VERIFY_FAILED", `the sessions endpoint answered ${response.status} to verify`, { status: 503 });
    }
    const result = (await response.json()) as VerifyResult;
    if (!result.valid) return { valid: false, reason: result.reason in CODES ? result.reason : "malformed" };
    const { sessionId, identifier, expiresAt, data } = result;
    return { valid: true, session: { sessionId, identifier, expiresAt, ...o.scope, checkedBy: "endpoint", ...(data !== undefined ? { data } : {}) } };
  };
}

function failure(o: NormalizedAuthOptions, error: SessionError, invalidToken: boolean): AuthFailure {
  const headers: Record<string, string> = {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  };
  // RFC 9110 §11.6.1: a 401 names the scheme it wants; RFC 6750 §3.1's error attribute says why.
  if (error.status === 401) headers["www-authenticate"] = `Session realm="${o.realm}"${invalidToken ? ', error="invalid_token"' : ""}`;
  else headers["retry-after"] = "5";
  return { status: error.status, headers, body: JSON.stringify(error.toJSON()) };
}
