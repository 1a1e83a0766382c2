import { createSessionServer, d1Store, keysFromEnv, type SessionServer } from "tessera-sessions/server";
import type { Env } from "./env.ts";
import { PRODUCTS } from "./products.ts";

export interface Endpoint {
  server: SessionServer;
  /** The first `tsk_...` of TESSERA_SECRET_KEYS: what the /app/* side starts sessions with. */
  accessKey: string;
}

let cached: { env: Env; endpoint: Endpoint } | undefined;

/**
 * The sessions endpoint over D1, made once per isolate (bindings are the same object for
 * every request of an isolate; a new `env` means a new deployment or test, so rebuild).
 * keysFromEnv and createSessionServer check every secret and option here: a missing or
 * malformed one throws INVALID_CONFIG naming the variable (worker.ts answers it as JSON), not a
 * token that cannot be verified later.
 */
export function endpointFor(env: Env): Endpoint {
  if (cached?.env === env) return cached.endpoint;
  const keys = keysFromEnv(env);
  const server = createSessionServer({
    issuer: env.TESSERA_ISSUER,
    ...keys,
    store: d1Store(env.DB),
    products: PRODUCTS,
    // Never logs a token or key (the server guarantees it); the name is enough to find the cause.
    onError: (error) => console.error("tessera internal error:", error instanceof Error ? `${error.name}: ${error.message}` : "unknown"),
  });
  // keysFromEnv refuses an empty TESSERA_SECRET_KEYS, so there is a first key.
  const first = keys.accessKeys.secret[0]!;
  const endpoint = { server, accessKey: typeof first === "string" ? first : first.key };
  cached = { env, endpoint };
  return endpoint;
}
