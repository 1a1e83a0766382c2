import { Hono } from "hono";
import { sessionAuth } from "tessera-sessions/hono";

/**
 * A Hono app behind tessera sessions. `/api/*` checks the session token offline against the
 * endpoint's JWKS (no call per request; a revoked session passes until its token expires, at
 * most 15 minutes). `/account/*` asks the endpoint, which sees revocations at once and returns
 * the session's data; it needs a secret access key.
 *
 * @param {{ endpoint: string, issuer: string, env: string, secretKey?: string, fetch?: (request: Request) => Promise<Response> }} config
 */
export function createApp(config) {
  const scope = { issuer: config.issuer, product: "my-product-tag", env: config.env, tag: "session-tag" };
  const app = new Hono();

  // `Authorization: Session <tag>:<jwt>`, or the `session` cookie a same-site page sends.
  app.use("/api/*", sessionAuth({ ...scope, jwksUrl: new URL("/.well-known/jwks.json", config.endpoint), cookie: "session" }));
  app.get("/api/me", (c) => {
    const { identifier, sessionId, expiresAt } = c.var.session;
    return c.json({ identifier, sessionId, expiresAt });
  });

  if (config.secretKey) {
    app.use("/account/*", sessionAuth({ ...scope, mode: "endpoint", endpoint: config.endpoint, accessKey: config.secretKey, ...(config.fetch ? { fetch: config.fetch } : {}) }));
    app.get("/account/profile", (c) => c.json({ identifier: c.var.session.identifier, data: c.var.session.data ?? null }));
  }
  app.get("/", (c) => c.text("tessera + hono: GET /api/me with Authorization: Session <token>\n"));
  return app;
}
