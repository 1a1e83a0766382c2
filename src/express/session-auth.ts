import { createAuthenticator } from "../middleware/authenticate.js";
import type { SessionAuthOptions } from "../middleware/options.js";
import type { AuthenticatedSession } from "../middleware/session.js";

// `req.tessera`, not `req.session`: express-session owns that name.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by tessera-sessions/express `sessionAuth` once the session token checked out. */
      tessera?: AuthenticatedSession;
    }
  }
}

/** What the middleware reads of a request: node:http's IncomingMessage, which Express and Connect extend. */
export interface ExpressLikeRequest {
  headers: { authorization?: string | undefined; cookie?: string | undefined; dpop?: string | string[] | undefined; host?: string | undefined };
  method?: string | undefined;
  url?: string | undefined;
  /** Express keeps the full path here when a router strips its mount path from `url`. */
  originalUrl?: string | undefined;
  /** node:http's socket; a TLS one has `encrypted: true`. */
  socket?: object | null;
  tessera?: AuthenticatedSession;
}

/** What it uses of a response: node:http's ServerResponse (Connect has no `res.status().json()`). */
export interface ExpressLikeResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
}

/**
 * Express and Connect middleware: reads `Authorization: Session <tag>:<jwt>` (or the configured
 * cookie), verifies it offline against the JWKS or through the endpoint, and sets `req.tessera`.
 * Without a valid token it answers 401 with tessera's JSON error body and `WWW-Authenticate`.
 * Options are checked here, at creation: a missing product, env or tag throws INVALID_CONFIG.
 */
export function sessionAuth(
  options: SessionAuthOptions,
): (req: ExpressLikeRequest, res: ExpressLikeResponse, next: (error?: unknown) => void) => void {
  const auth = createAuthenticator(options);
  // Promise-returning middleware is Express 5 only; then/next works in Express 4 and Connect too.
  return (req, res, next) => {
    const dpop = req.headers.dpop;
    // The URL as this server received it; behind a proxy, the `origin` option gives the public one.
    const scheme = (req.socket as { encrypted?: boolean } | null | undefined)?.encrypted ? "https" : "http";
    const url = `${scheme}://${req.headers.host ?? "localhost"}${req.originalUrl ?? req.url ?? "/"}`;
    auth
      .authenticate({ authorization: req.headers.authorization, cookie: req.headers.cookie, dpop: Array.isArray(dpop) ? dpop.join(",") : dpop, method: req.method ?? "GET", url })
      .then((outcome) => {
        if (outcome.session) {
          req.tessera = outcome.session;
          return next();
        }
        res.statusCode = outcome.failure.status;
        for (const [name, value] of Object.entries(outcome.failure.headers)) res.setHeader(name, value);
        res.end(outcome.failure.body);
      }, next);
  };
}
