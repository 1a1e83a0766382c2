// Types only: this entry never loads hono at run time, so it works with whichever copy the app has.
import type { MiddlewareHandler } from "hono";
import { createAuthenticator } from "../middleware/authenticate.js";
import type { SessionAuthOptions } from "../middleware/options.js";
import type { AuthenticatedSession } from "../middleware/session.js";

/** `c.var.session` after `sessionAuth`: `new Hono<{ Variables: SessionVariables }>()`. */
export interface SessionVariables {
  session: AuthenticatedSession;
}

/**
 * Hono middleware: reads `Authorization: Session <tag>:<jwt>` (or the configured cookie),
 * verifies it offline against the JWKS or through the endpoint, and sets `c.var.session`.
 * Without a valid token it answers 401 with tessera's JSON error body and `WWW-Authenticate`.
 * Options are checked here, at creation: a missing product, env or tag throws INVALID_CONFIG.
 */
export function sessionAuth(options: SessionAuthOptions): MiddlewareHandler<{ Variables: SessionVariables }> {
  const auth = createAuthenticator(options);
  return async (c, next) => {
    const outcome = await auth.authenticate({
      authorization: c.req.header("authorization"),
      cookie: c.req.header("cookie"),
      dpop: c.req.header("dpop"),
      method: c.req.method,
      url: c.req.url,
    });
    if (outcome.failure) return new Response(outcome.failure.body, { status: outcome.failure.status, headers: outcome.failure.headers });
    c.set("session", outcome.session);
    await next();
  };
}
