import ky, { type Options } from "ky";
import { SessionError } from "../shared/errors.js";
import type { SessionTokens } from "../shared/protocol.js";
import { toSessionError } from "./http-errors.js";
import type { NormalizedOptions } from "./options.js";

/** `call("verify", body)` posts to `/v1/sessions/verify`; `call("", query, GET)` lists. */
export type Call = <T>(path: string, body: object, extra?: Options) => Promise<T>;

/** Only refresh and start may retry (see createApi); `start` adds its Idempotency-Key. */
export type RetryOptions = (options: NormalizedOptions) => Options;

/**
 * All HTTP goes through one ky instance: prefix URL, Bearer access key, timeout (default 10 s),
 * every failure a SessionError. Retries are off unless a call is safe to repeat: refresh (the
 * server's grace window answers a repeated token with the current pair) and start (its
 * Idempotency-Key rides on every retry); then 200 ms, 400 ms ... with jitter, as supabase
 * does, after network errors, timeouts, 408, 429 and 5xx.
 */
export function createApi(options: NormalizedOptions) {
  const { accessKey } = options;
  const http = ky.create({
    prefixUrl: options.baseUrl,
    timeout: options.timeout,
    retry: 0,
    headers: accessKey ? { authorization: `Bearer ${accessKey}` } : {},
    // Resolved per request, so a polyfilled or test-stubbed global fetch is honoured.
    fetch: (input, init) => (options.fetch ? options.fetch(new Request(input, init)) : fetch(input, init)),
  });
  const retry: Options = {
    retry: {
      limit: options.retries,
      methods: ["post"],
      statusCodes: [408, 429, 500, 502, 503, 504],
      retryOnTimeout: true,
      delay: (attempt) => 100 * 2 ** attempt,
      jitter: (delay) => delay * (0.75 + Math.random() / 2),
      backoffLimit: 5_000,
      // A Retry-After of an hour must not park a refresh for an hour: wait at most 3 s.
      maxRetryAfter: 3_000,
    },
  };
  const call: Call = async (path, body, extra) => {
    try {
      const get = extra?.method === "get";
      // JSON round trip drops undefined fields from the query too.
      const data = JSON.parse(JSON.stringify(body));
      const url = `v1/sessions${path && "/"}${path}`;
      return await http(url, { method: "post", ...(get ? { searchParams: data } : { json: data }), ...extra }).json();
    } catch (error) {
      // The key and any token sent are scrubbed from messages the server may echo.
      const { token, refreshToken } = body as Record<string, unknown>;
      throw await toSessionError(error, [accessKey, token, refreshToken]);
    }
  };
  return { call, retry };
}

export type Api = ReturnType<typeof createApi>;

/** Start and refresh answers become stored sessions: their shape is checked. */
export function checkTokens(answer: unknown): SessionTokens {
  const fields = ["token", "refreshToken", "expiresAt", "refreshExpiresAt", "sessionId"] as const;
  if (!fields.every((f) => typeof (answer as Record<string, unknown>)?.[f] === "string")) {
    throw new SessionError("SERVER_ERROR", "the sessions endpoint sent an answer of the wrong shape");
  }
  return answer as SessionTokens;
}
