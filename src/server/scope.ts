import { SessionError } from "../shared/errors.js";
import type { SessionConfig } from "./config/types.js";
import type { ServerContext } from "./context.js";
import { keyReaches, requireKeyScope, type Caller } from "./http/access.js";
import { optionalString, requireString } from "./http/fields.js";
import type { ProductEnv, Scope } from "./stores/types.js";

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

/**
 * `product`, `env` and `tag`, each optional (users and their timelines): every configured
 * product and env the request names and the caller's key reaches, each with the named tag if
 * one is; at least one, or 404 naming what is not configured, 403 when the key reaches none of
 * them. An absent product or env is "every one the key reaches", so a scoped key never reads
 * beyond its products and envs.
 */
export function resolveProductEnvs(server: ServerContext, source: Record<string, unknown>, caller: Caller | null): { scopes: ProductEnv[]; tag?: string } {
  const product = optionalString(source, "product", 64);
  const env = optionalString(source, "env", 64);
  const tag = optionalString(source, "tag", 64);
  if (product !== undefined) {
    const entry = server.products.get(product);
    if (!entry) throw new SessionError("PRODUCT_NOT_FOUND", `product "${product}" is not configured`, { field: "product" });
    if (env !== undefined && !entry.envs.has(env)) throw new SessionError("ENV_NOT_FOUND", `env "${env}" is not configured for product "${product}"`, { field: "env" });
  } else if (env !== undefined && ![...server.products.values()].some((entry) => entry.envs.has(env))) {
    throw new SessionError("ENV_NOT_FOUND", `env "${env}" is not configured for any product`, { field: "env" });
  }
  // A product or env named outside the key's scope is refused by name.
  requireKeyScope(caller, product, env);
  const configured: ProductEnv[] = [];
  for (const [name, entry] of server.products) {
    if ((product !== undefined && name !== product) || (tag !== undefined && !entry.sessions.has(tag))) continue;
    for (const e of entry.envs) if (env === undefined || e === env) configured.push({ product: name, env: e });
  }
  if (configured.length === 0) {
    // Every product has an env, so only a tag can leave nothing.
    throw new SessionError("TAG_NOT_FOUND", `session tag "${tag}" is not configured for ${product !== undefined ? `product "${product}"` : "any product"}${product === undefined && env !== undefined ? ` with env "${env}"` : ""}`, { field: "tag" });
  }
  const reached = configured.filter((s) => keyReaches(caller, s));
  if (reached.length === 0) throw new SessionError("FORBIDDEN", "this access key reaches none of the products and envs asked for", { field: env !== undefined ? "env" : "product" });
  return { scopes: reached, ...(tag !== undefined ? { tag } : {}) };
}
