import { handleApi } from "./api.ts";
import { handleApp } from "./app.ts";
import { endpointFor } from "./endpoint.ts";
import type { Env } from "./env.ts";

/**
 * One Worker, three roles:
 * - `/v1/*`, `/.well-known/jwks.json`, `/healthz`: the sessions endpoint (D1 store);
 * - `/app/*`: a backend-for-frontend that keeps each visitor's tokens in KV, encrypted, and
 *   gives the browser only an opaque cookie;
 * - `/api/*`: an API that verifies session tokens offline with the JWKS (no endpoint call).
 */
export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url);
    const endpoint = endpointFor(env);
    if (pathname.startsWith("/app/")) return handleApp(request, env, endpoint);
    if (pathname.startsWith("/api/")) return handleApi(request, env, endpoint);
    return endpoint.fetch(request);
  },

  /** Cron (wrangler.jsonc "triggers"): removes ended sessions and activity past retention. */
  async scheduled(_controller: unknown, env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<void> {
    ctx.waitUntil(endpointFor(env).purge());
  },
};
