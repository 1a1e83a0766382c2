import { createSessionServer, d1Store, type SessionServer } from "tessera-sessions/server";
import type { Env } from "./env.ts";
import { PRODUCTS } from "./products.ts";

const list = (value: string | undefined) => (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);

let cached: { env: Env; server: SessionServer } | undefined;

/**
 * The sessions endpoint over D1, made once per isolate (bindings are the same object for
 * every request of an isolate; a new `env` means a new deployment or test, so rebuild).
 * createSessionServer checks every option here: a missing secret fails the first request
 * with a clear INVALID_CONFIG in the logs, not a token that cannot be verified later.
 */
export function endpointFor(env: Env): SessionServer {
  if (cached?.env === env) return cached.server;
  const signing = JSON.parse(env.TESSERA_SIGNING_KEY) as unknown;
  const server = createSessionServer({
    issuer: env.TESSERA_ISSUER,
    secret: env.TESSERA_SECRET,
    keys: (Array.isArray(signing) ? signing : [signing]) as Parameters<typeof createSessionServer>[0]["keys"],
    store: d1Store(env.DB),
    products: PRODUCTS,
    accessKeys: { secret: list(env.TESSERA_ACCESS_KEY), publishable: list(env.TESSERA_PUBLISHABLE_KEY) },
    // Never logs a token or key (the server guarantees it); the name is enough to find the cause.
    onError: (error) => console.error("tessera internal error:", error instanceof Error ? `${error.name}: ${error.message}` : "unknown"),
  });
  cached = { env, server };
  return server;
}
