import ky, { isHTTPError, type HTTPError, type Options } from "ky";
import { SessionError, isErrorCode, isSessionError, type SessionErrorCode } from "../shared/errors.js";
import type { SessionTokens } from "../shared/protocol.js";
import type { NormalizedOptions } from "./options.js";
import { noResponse } from "./no-response.js";
import { hasTokens } from "./stored.js";
import type { EndReason } from "./types.js";

/** `call("verify", body)` posts to `/v1/sessions/verify`; `call("", query, GET)` lists; `call("/users", ...)` is `/v1/users`. */
export type Call = <T>(path: string, body: object, extra?: Options) => Promise<T>;

/**
 * All HTTP goes through one ky instance: prefix URL, Bearer access key, timeout (default 10 s),
 * every failure a SessionError. Retries are off unless a call is safe to repeat: refresh (the
 * server's grace window answers a repeated token with the current pair) and start (its
 * Idempotency-Key rides on every retry); then ky's back-off (300 ms, 600 ms ...) with full
 * jitter, after network errors, timeouts and ky's retryable statuses (408, 413, 429, 5xx).
 */
export function createApi(options: NormalizedOptions) {
  const { accessKey } = options;
  const http = ky.create({
    prefixUrl: options.baseUrl,
    timeout: options.timeout,
    retry: 0,
    // ky drops a header whose value is undefined.
    headers: { authorization: accessKey && `Bearer ${accessKey}` },
    // ky passes the Request itself; without one it binds the global fetch per request, so a
    // polyfilled or test-stubbed fetch is honoured.
    fetch: options.fetch as typeof fetch | undefined,
    hooks: typeof TESSERA_SCRIPT_TAG === "undefined" ? options.dpop?.hooks : undefined,
  });
  /** Only refresh and start may retry; `start` adds its Idempotency-Key. */
  const retry: Options = {
    retry: {
      limit: options.retries,
      methods: ["post"],
      retryOnTimeout: true,
      jitter: true,
      // A Retry-After of an hour must not park a refresh for an hour: wait at most 3 s.
      maxRetryAfter: 3_000,
    },
  };
  const call: Call = async (path, body, extra) => {
    // JSON round trip drops undefined fields from the query too.
    const data = JSON.parse(JSON.stringify(body));
    // "/users" (the console's routes) sits under /v1; "verify" under /v1/sessions.
    const route = path[0] == "/" ? "v1" + path : `v1/sessions${path && "/"}${path}`;
    try {
      return await http(route, {
        method: "post",
        ...(extra?.method === "get" ? { searchParams: data } : { json: data }),
        ...extra,
      }).json();
    } catch (error) {
      throw isHTTPError(error)
        ? // The key and any token sent are scrubbed from messages the server may echo.
          await toSessionError(error, [accessKey, data.token, data.refreshToken])
        : // No answer: the URL (origin and path; baseUrl has no query) and what is known of why.
            noResponse(error, options.baseUrl + route, options.timeout);
    }
  };
  return { call, retry };
}

export type Api = ReturnType<typeof createApi>;

/**
 * Maps an answer with an error status to a SessionError (issue 2, Behaviour 5); no answer at
 * all is no-response.ts's. ky's own errors are never kept as `cause`: they hold the Request, whose headers carry the access key.
 * `secrets` (the key and tokens sent) are scrubbed from any message the server echoes.
 */
async function toSessionError(error: HTTPError, secrets: unknown[]): Promise<SessionError> {
  const { status } = error.response;
  // An empty or non-JSON body (a proxy's 502 page) maps by status alone.
  const body = (await error.response.json().catch(() => 0)) as { error?: Record<string, unknown> };
  let { code, message, field } = (typeof body?.error === "object" && body.error) || {};
  message = typeof message === "string" ? message : `sessions endpoint answered ${status}`;
  for (const secret of secrets) {
    if (typeof secret === "string" && secret.length > 7) message = (message as string).replaceAll(secret, "[redacted]");
  }
  return new SessionError(isErrorCode(code) ? code : (GENERIC[status] ?? "SERVER_ERROR"), message as string, {
    status,
    field: typeof field === "string" ? field : undefined,
  });
}

/**
 * An answer without a well-formed code (a proxy's HTML page, an empty body): the generic code for
 * 400, 401, 403 and 404 (http.test.ts pins them); any other status is SERVER_ERROR, whose
 * `status` still tells 413 from 503 (docs/errors.md). Four more names cost 95 B in the script tag.
 */
const GENERIC: Partial<Record<number, SessionErrorCode>> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
};

/** The only answers that end a stored session (RFC 9700 §4.14 reuse, revocation, expiry). */
const AUTHORITATIVE: Partial<Record<string, EndReason>> = {
  REFRESH_REUSED: "reuse_detected",
  REFRESH_EXPIRED: "expired",
  REFRESH_INVALID: "invalid",
  SESSION_REVOKED: "revoked",
};

export const endReasonFor = (error: unknown): EndReason | undefined => (isSessionError(error) ? AUTHORITATIVE[error.code] : undefined);

/** Start and refresh answers become stored sessions: their shape is checked. */
export function checkTokens(answer: unknown): SessionTokens {
  if (!hasTokens(answer)) throw new SessionError("SERVER_ERROR", "sessions endpoint sent a malformed answer", { status: 502 });
  return answer;
}

/** Defined as true only by the script-tag build, which has no dpopKey: DPoP hook points fold away there (runtime.ts). */
declare const TESSERA_SCRIPT_TAG: true | undefined;
