import { isSessionError } from "tessera-sessions";
import { handleApi } from "./api.ts";
import { handleApp } from "./app.ts";
import { endpointFor } from "./endpoint.ts";
import { handleSignIn } from "./sign-in.ts";
import type { Env } from "./env.ts";
import { json } from "./respond.ts";

/**
 * One Worker, four roles:
 * - `/v1/*`, `/.well-known/jwks.json`, `/healthz`: the sessions endpoint (D1 store);
 * - `/app/*`: a backend-for-frontend that keeps each visitor's tokens in KV, encrypted, and
 *   gives the browser only an opaque cookie;
 * - `/auth/login`: the backend sign-in for a page that keeps its own tokens, bound to its DPoP key;
 * - `/api/*`: an API that verifies session tokens offline with the JWKS (no endpoint call).
 */
export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    try {
      const { pathname } = new URL(request.url);
      const endpoint = endpointFor(env);
      if (pathname.startsWith("/app/")) return await handleApp(request, env, endpoint);
      if (pathname.startsWith("/auth/")) return await handleSignIn(request, env, endpoint);
      if (pathname.startsWith("/api/")) return await handleApi(request, env, endpoint.server);
      return await endpoint.server.fetch(request);
    } catch (error) {
      // A missing or malformed secret: INVALID_CONFIG naming the variable (never its value), as
      // JSON like every other error, instead of an opaque 500 from the runtime.
      if (isSessionError(error) && error.code === "INVALID_CONFIG") return json(error.status, error.toJSON());
      throw error;
    }
  },

  /** Cron (wrangler.jsonc "triggers"): removes ended sessions and activity past retention. */
  async scheduled(_controller: unknown, env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<void> {
    ctx.waitUntil(endpointFor(env).server.purge());
  },
};
