import { SessionError } from "../../shared/errors.js";
import { configError } from "../config/config-error.js";
import { errorResponse } from "./respond.js";
import { SESSION_TOKEN_HEADER } from "./session-header.js";

export interface CorsOptions {
  /**
   * Origins allowed to call from a browser: exact (`https://app.example`), any port of one
   * host (`http://localhost:*`), or "*" for any.
   */
  origins: string[] | "*";
  /** How long a browser may cache a preflight. Default 600. */
  maxAgeSeconds?: number;
}

export interface Cors {
  /** The answer to a preflight, or null when the request is not one. */
  preflight(request: Request): Response | null;
  /** Adds the CORS headers to an answer for an allowed origin. */
  decorate(request: Request, response: Response): Response;
}

const ALLOW_HEADERS = `authorization, content-type, idempotency-key, ${SESSION_TOKEN_HEADER}, dpop`;

// scheme://host with an optional port or `:*`; no path, query or trailing slash.
const ORIGIN = /^https?:\/\/(\[[0-9a-f:.]+\]|[^/:?#[\]@\s]+)(:(\d{1,5}|\*))?$/i;

const isPreflight = (request: Request) => request.method === "OPTIONS" && request.headers.has("access-control-request-method");

/**
 * A refused preflight answers like every other error (403 with the JSON error body), so curl
 * and the request log say why; the browser only sees that no Access-Control header came back.
 */
const refuse = (message: string) => errorResponse(new SessionError("FORBIDDEN", message), () => {});

/**
 * Cross-origin access for browser apps (Fetch standard, CORS protocol). Off unless configured:
 * then no Access-Control header is ever sent, and a preflight is refused with a message saying
 * how to allow it. Credentials (cookies) are never allowed; keys and tokens travel in headers.
 */
export function createCors(options: CorsOptions | undefined): Cors {
  if (options === undefined) {
    return {
      preflight: (request) => (isPreflight(request) ? refuse("cross-origin requests are off on this endpoint (set cors.origins)") : null),
      decorate: (_request, response) => response,
    };
  }
  const { origins } = options;
  if (origins !== "*" && (!Array.isArray(origins) || origins.some((o) => typeof o !== "string" || !ORIGIN.test(o)))) {
    throw configError("cors.origins", 'must be "*" or an array of origins like "https://app.example" or "http://localhost:*" (no path)');
  }
  const maxAge = String(options.maxAgeSeconds ?? 600);
  const allowed = (origin: string | null): origin is string => origin !== null && (origins === "*" || origins.some((o) => matches(o, origin)));
  return {
    preflight(request) {
      if (!isPreflight(request)) return null;
      const origin = request.headers.get("origin");
      // The origin is the browser's, not a secret: naming it tells the developer what to add.
      if (!allowed(origin)) return refuse(`origin ${origin ?? "(none)"} is not in cors.origins`);
      return new Response(null, {
        status: 204,
        headers: {
          "access-control-allow-origin": origin,
          "access-control-allow-methods": "GET, POST",
          "access-control-allow-headers": ALLOW_HEADERS,
          "access-control-max-age": maxAge,
          vary: "Origin",
        },
      });
    },
    decorate(request, response) {
      const origin = request.headers.get("origin");
      if (!allowed(origin)) return response;
      const headers = new Headers(response.headers);
      headers.set("access-control-allow-origin", origin);
      headers.set("access-control-expose-headers", "idempotent-replayed, www-authenticate, dpop-nonce");
      headers.append("vary", "Origin");
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    },
  };
}

/** `http://localhost:*` matches that host on any port, or none (the scheme's default). */
function matches(allowed: string, origin: string): boolean {
  if (!allowed.endsWith(":*")) return allowed === origin;
  const host = allowed.slice(0, -2);
  return origin === host || (origin.startsWith(`${host}:`) && /^\d{1,5}$/.test(origin.slice(host.length + 1)));
}
