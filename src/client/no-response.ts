import { isTimeoutError } from "ky";
import { SessionError, isSessionError } from "../shared/errors.js";

/** Defined only by the script-tag build (tsup.config.ts): see below. */
declare const TESSERA_SCRIPT_TAG: true | undefined;

/**
 * The error for a request that got no answer: TIMEOUT, or NETWORK_ERROR with what is known of
 * the cause, both status 0. `url` is the endpoint's origin and path (the base URL holds no
 * query or credentials, options.ts); the request's headers and body are never read.
 *
 * fetch rejects with a TypeError for every transport failure. Node (undici) and Deno keep the
 * system's reason (`cause.code` ECONNREFUSED, ENOTFOUND; Deno's "Connection refused", "dns
 * error"); browsers never do, on purpose (Fetch standard, "network error": a refused
 * connection, a DNS failure and a CORS refusal look alike to the page). So the script-tag
 * build does not look, says what is most often behind it, and keeps to short words for its
 * 10 KiB budget (test/package/script-tag.test.ts).
 */
export function noResponse(error: unknown, url: string, timeoutMs: number): SessionError {
  const script = typeof TESSERA_SCRIPT_TAG !== "undefined";
  const timeout = isTimeoutError(error);
  let why = timeout ? (script ? "timed out" : `timed out after ${timeoutMs} ms`) : "no response (often CORS)";
  if (!timeout && !script) {
    // Thrown on purpose before the request left (a DPoP hook): kept as it is. The script-tag
    // build has no hooks, so nothing there throws one inside ky.
    if (isSessionError(error)) return error;
    const e = error as { message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
    const text = `${e?.cause?.code} ${e?.cause?.message} ${e?.message}`;
    why = /ECONNREFUSED|refused/i.test(text)
      ? "connection refused"
      : /ENOTFOUND|EAI_AGAIN|dns/i.test(text)
        ? "host name not found (DNS)"
        : /ECONNRESET|reset/i.test(text)
          ? "connection closed without an answer"
          : error instanceof TypeError
            ? "no response (often CORS, or offline)"
            : `request failed before an answer (${(error as Error | null)?.name ?? "unknown error"})`;
  }
  // ERROR_STATUS gives both codes status 0, as does the script tag's default.
  return new SessionError(timeout ? "TIMEOUT" : "NETWORK_ERROR", `sessions endpoint ${url}: ${why}`);
}
