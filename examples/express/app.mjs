import express from "express";
import { sessionAuth } from "tessera-sessions/express";

/**
 * An Express app behind tessera sessions. `/api/*` checks the session token offline against the
 * endpoint's JWKS; `/account/*` asks the endpoint (revocations count at once, `data` comes back;
 * needs a secret access key). The session is on `req.tessera`: `req.session` belongs to
 * express-session, which can run beside it.
 *
 * @param {{ endpoint: string, issuer: string, env: string, secretKey?: string }} config
 */
export function createApp(config) {
  const scope = { issuer: config.issuer, product: "my-product-tag", env: config.env, tag: "session-tag" };
  const app = express();

  app.use("/api", sessionAuth({ ...scope, jwksUrl: new URL("/.well-known/jwks.json", config.endpoint), cookie: "session" }));
  app.get("/api/me", (req, res) => {
    const { identifier, sessionId, expiresAt } = req.tessera;
    res.json({ identifier, sessionId, expiresAt });
  });

  if (config.secretKey) {
    app.use("/account", sessionAuth({ ...scope, mode: "endpoint", endpoint: config.endpoint, accessKey: config.secretKey }));
    app.get("/account/profile", (req, res) => res.json({ identifier: req.tessera.identifier, data: req.tessera.data ?? null }));
  }
  return app;
}
