import type { Handler } from "../context.js";
import { json } from "../http/respond.js";

/** GET /.well-known/jwks.json: public keys only, cacheable, so edges verify offline. */
export const jwks: Handler = async (server) =>
  json(200, server.keyring.jwks, { "cache-control": "public, max-age=300", "access-control-allow-origin": "*" });

/** GET /healthz */
export const health: Handler = async () => json(200, { ok: true });
