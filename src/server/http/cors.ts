import { configError } from "../config/config-error.js";
import { SESSION_TOKEN_HEADER } from "./session-header.js";

export interface CorsOptions {
  /** Exact origins (`https://app.example`) allowed to call from a browser, or "*" for any. */
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

/**
 * Cross-origin access for browser apps (Fetch standard, CORS protocol). Off unless configured:
 * the endpoint answers no preflight and sends no Access-Control headers. Credentials
 * (cookies) are never allowed; keys and tokens travel in headers.
 */
export function createCors(options: CorsOptions | undefined): Cors | null {
  if (options === undefined) return null;
  const { origins } = options;
  if (origins !== "*" && (!Array.isArray(origins) || origins.some((o) => typeof o !== "string" || !/^https?:\/\/[^/]+$/.test(o)))) {
    throw configError("cors.origins", 'must be "*" or an array of origins like "https://app.example" (no path)');
  }
  const maxAge = String(options.maxAgeSeconds ?? 600);
  const allowed = (origin: string | null) => origin !== null && (origins === "*" || origins.includes(origin));
  return {
    preflight(request) {
      if (request.method !== "OPTIONS" || !request.headers.has("access-control-request-method")) return null;
      const origin = request.headers.get("origin");
      if (!allowed(origin)) return new Response(null, { status: 403 });
      return new Response(null, {
        status: 204,
        headers: {
          "access-control-allow-origin": origin!,
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
      headers.set("access-control-allow-origin", origin!);
      headers.set("access-control-expose-headers", "idempotent-replayed, www-authenticate, dpop-nonce");
      headers.append("vary", "Origin");
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    },
  };
}
