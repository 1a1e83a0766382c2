import { isSessionError, SessionError, useDocumentedStatuses } from "../../shared/errors.js";

// The one place errors become answers: every SessionError made without a status gets its code's
// documented one (errors.ts; the client, which names its own, leaves the table out).
useDocumentedStatuses();

const encoder = new TextEncoder();

/**
 * JSON answers; `no-store` because most of them carry tokens (RFC 6749 §5.1 does the same), and
 * `nosniff` so that no browser reads an answer holding caller-chosen strings (track data, an
 * identifier) as HTML or script (Fetch standard, "X-Content-Type-Options").
 */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const bytes = encoder.encode(JSON.stringify(body));
  return new Response(bytes, {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff", ...headers, ...lengthOf(bytes) },
  });
}

/** The length, so tessera/node writes the answer in one piece (src/node/response.ts). */
const lengthOf = (bytes: Uint8Array) => ({ "content-length": String(bytes.byteLength) });

/**
 * The one place where a thrown value becomes a Response. A SessionError answers with its
 * own status and body; anything else is a bug or an outage: it goes to `onError` and the
 * caller sees a generic 500, never a message or a stack trace.
 */
export function errorResponse(error: unknown, onError: (error: unknown) => void): Response {
  // SessionErrors are thrown on purpose, with messages written for callers; 5xx ones are
  // also reported, as they mean something on our side went wrong.
  if (isSessionError(error) && error.status >= 400 && error.status < 600) {
    if (error.status >= 500) report(error, onError);
    const headers: Record<string, string> = {};
    // RFC 9110 §11.6.1: a 401 names the scheme it wants; session-token failures want `Session`.
    if (error.status === 401) headers["www-authenticate"] = `${error.code.startsWith("SESSION_") ? "Session" : "Bearer"} realm="tessera"`;
    // DPoP refusals name their scheme and RFC 9449 §7.1 error, and may carry a fresh DPoP-Nonce (dpop/errors.ts).
    if (error.code.startsWith("DPOP_")) Object.assign(headers, (error as { headers?: Record<string, string> }).headers);
    if (error.code === "METHOD_NOT_ALLOWED" && typeof (error as { allow?: unknown }).allow === "string") {
      headers.allow = (error as unknown as { allow: string }).allow;
    }
    return json(error.status, error.toJSON(), headers);
  }
  report(error, onError);
  return json(500, new SessionError("INTERNAL", "internal error").toJSON());
}

/** 405 with the `Allow` header (RFC 9110 §15.5.6). */
export function methodNotAllowed(allow: string[]): SessionError {
  const error = new SessionError("METHOD_NOT_ALLOWED", `method not allowed; use ${allow.join(", ")}`);
  return Object.assign(error, { allow: allow.join(", ") });
}

function report(error: unknown, onError: (error: unknown) => void): void {
  try {
    onError(error);
  } catch {
    // A failing logger must not turn into a failing response.
  }
}
