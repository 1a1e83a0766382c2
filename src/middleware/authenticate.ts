import { SessionError } from "../shared/errors.js";
import type { VerifyFailureReason, VerifyResult } from "../shared/protocol.js";
import { verifySessionToken } from "../verify/verify-token.js";
import { normalizeAuthOptions, type NormalizedAuthOptions, type SessionAuthOptions } from "./options.js";
import { presentedToken } from "./read-token.js";
import type { AuthFailure, AuthenticatedSession } from "./session.js";

export type AuthOutcome = { session: AuthenticatedSession; failure?: never } | { failure: AuthFailure; session?: never };

/** What the middleware reads of a request. */
export interface PresentedRequest {
  authorization: string | null | undefined;
  cookie: string | null | undefined;
  /** The `DPoP` header: a proof for tokens bound to a key (RFC 9449, docs/dpop.md). */
  dpop: string | null | undefined;
  method: string;
  /** The URL as the client called it; the proof's `htu` is checked against it. */
  url: string;
}

export interface Authenticator {
  /** Never rejects: a bad token is a 401, an unreachable JWKS or endpoint a 503. */
  authenticate(request: PresentedRequest): Promise<AuthOutcome>;
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
    async authenticate(request) {
      const token = presentedToken(request.authorization, request.cookie, o.cookie);
      if (token === null) {
        const hint = o.cookie ? ` or the ${o.cookie} cookie` : "";
        // RFC 6750 §3.1: no error attribute when the request carried no credentials at all.
        return { failure: failure(o, new SessionError("UNAUTHORIZED", `the session token is required (Authorization: Session <tag>:<jwt>${hint})`), false) };
      }
      try {
        const proof = typeof request.dpop === "string" && request.dpop !== "" ? { proof: request.dpop, method: request.method.toUpperCase(), url: publicUrl(o, request.url) } : undefined;
        const result = await check(token, proof);
        if (result.valid) return { session: result.session };
        if (result.reason === "dpop") return { failure: dpopFailure(o, proof === undefined) };
        if ("refusal" in result) return { failure: result.refusal };
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

type Proof = { proof: string; method: string; url: string };
type Check = (
  token: string,
  proof: Proof | undefined,
) => Promise<
  | { valid: true; session: AuthenticatedSession }
  | { valid: false; reason: VerifyFailureReason | "dpop" }
  /** The endpoint's own 401 for a DPoP refusal, passed on as it is. */
  | { valid: false; reason: "refused"; refusal: AuthFailure }
>;

function offlineCheck(o: NormalizedAuthOptions): Check {
  const keys = o.jwks ? { jwks: o.jwks } : { jwksUrl: o.jwksUrl! };
  return async (token, proof) => {
    // An unbound token ignores `dpop`; a bound one (cnf.jkt) needs the proof for this request.
    const result = await verifySessionToken(token, { ...keys, issuer: o.issuer, ...o.scope, dpop: proof ?? { proof: null, method: "GET", url: "http://unused.invalid/" } });
    if (!result.valid) return result;
    const { sessionId, identifier, expiresAt } = result;
    return { valid: true, session: { sessionId, identifier, expiresAt, ...o.scope, checkedBy: "offline" } };
  };
}

function endpointCheck(o: NormalizedAuthOptions): Check {
  const url = new URL("v1/sessions/verify", o.endpoint!.endsWith("/") ? o.endpoint! : `${o.endpoint!}/`).href;
  return async (token, proof) => {
    const response = await o.fetch(
      new Request(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${o.accessKey!}` },
        // A secret key relays the proof this request carried, for a token bound to a key (docs/dpop.md).
        body: JSON.stringify({ ...o.scope, token, ...(proof ? { dpop: proof } : {}) }),
      }),
    );
    if (response.status === 401) {
      const body = await response.text();
      const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
      if (typeof code === "string" && code.startsWith("DPOP_")) {
        const headers: Record<string, string> = { ...BASE_HEADERS };
        for (const name of ["www-authenticate", "dpop-nonce"]) {
          const value = response.headers.get(name);
          if (value !== null) headers[name] = value;
        }
        return { valid: false, reason: "refused", refusal: { status: 401, headers, body } };
      }
      throw new SessionError("VERIFY_FAILED", "the sessions endpoint refused the access key", { status: 503 });
    }
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

const BASE_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

/** The proof's `htu` is the URL the client called: behind a proxy, `origin` gives the public scheme and host. */
function publicUrl(o: NormalizedAuthOptions, url: string): string {
  if (!o.origin) return url;
  const { pathname, search } = new URL(url, o.origin);
  return o.origin + pathname + search;
}

/** RFC 9449 §7.1: a token bound to a key came without a valid proof; the challenge names DPoP. */
function dpopFailure(o: NormalizedAuthOptions, missing: boolean): AuthFailure {
  const error = missing
    ? new SessionError("DPOP_REQUIRED", "the session is bound to a key: send a DPoP proof for this request")
    : new SessionError("DPOP_INVALID", "invalid DPoP proof for this request (key, method, URL, token hash, age or replay)");
  return {
    status: 401,
    headers: { ...BASE_HEADERS, "www-authenticate": `DPoP realm="${o.realm}", error="${missing ? "invalid_token" : "invalid_dpop_proof"}", algs="ES256"` },
    body: JSON.stringify(error.toJSON()),
  };
}

function failure(o: NormalizedAuthOptions, error: SessionError, invalidToken: boolean): AuthFailure {
  const headers: Record<string, string> = { ...BASE_HEADERS };
  // RFC 9110 §11.6.1: a 401 names the scheme it wants; RFC 6750 §3.1's error attribute says why.
  if (error.status === 401) headers["www-authenticate"] = `Session realm="${o.realm}"${invalidToken ? ', error="invalid_token"' : ""}`;
  else headers["retry-after"] = "5";
  return { status: error.status, headers, body: JSON.stringify(error.toJSON()) };
}
