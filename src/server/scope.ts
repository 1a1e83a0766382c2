import { SessionError } from "../shared/errors.js";
import type { SessionConfig } from "./config/types.js";
import type { ServerContext } from "./context.js";
import { requireKeyScope, type Caller } from "./http/access.js";
import { requireString } from "./http/fields.js";
import type { Scope } from "./stores/types.js";

/**
 * The session config named by `product`, `env` and `tag` of a body or query, and that scope
 * (which the stores and the activity log key on); 404 naming the unknown part, 403 outside
 * the caller's key scope.
 */
export function resolveScope(server: ServerContext, source: Record<string, unknown>, caller: Caller | null): { config: SessionConfig; scope: Scope } {
  const { product, env } = resolveProductEnv(server, source, caller);
  const tag = requireString(source, "tag", 64);
  const config = server.products.get(product)!.sessions.get(tag);
  if (!config) throw new SessionError("TAG_NOT_FOUND", `session tag "${tag}" is not configured for product "${product}"`, { field: "tag" });
  return { config, scope: { product, env, tag } };
}

/**
 * `product` and `env` only (activity across a product's tags); 404 naming the unknown part,
 * 403 when the caller's access key is scoped to other products or envs.
 */
export function resolveProductEnv(server: ServerContext, source: Record<string, unknown>, caller: Caller | null): { product: string; env: string } {
  const product = requireString(source, "product", 64);
  const env = requireString(source, "env", 64);
  const entry = server.products.get(product);
  if (!entry) throw new SessionError("PRODUCT_NOT_FOUND", `product "${product}" is not configured`, { field: "product" });
  if (!entry.envs.has(env)) throw new SessionError("ENV_NOT_FOUND", `env "${env}" is not configured for product "${product}"`, { field: "env" });
  requireKeyScope(caller, product, env);
  return { product, env };
}
