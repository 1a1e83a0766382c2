import type { ProductsResult, RecentActivityResult } from "../../shared/protocol.js";
import type { Handler } from "../context.js";
import { requireSecretKey } from "../http/access.js";
import { queryObject, readTime } from "../http/fields.js";
import { json } from "../http/respond.js";
import { invalidArgument } from "../../shared/errors.js";
import { resolveProductEnv, resolveScope } from "../scope.js";
import { toActivityEvent } from "./activity.js";

/**
 * GET /v1/activity?product&env&tag?&from?&to?&limit?: the newest events of a product across
 * its users (the console's live feed), at most `limit` (1-200, default 50) read from the
 * (product, env, time) index. `from` is inclusive, `to` exclusive (default: now, inclusive).
 */
export const recentActivity: Handler = async (server, { url, caller }) => {
  requireSecretKey(caller);
  const query = queryObject(url.searchParams);
  const { product, env } = resolveProductEnv(server, query, caller);
  const tag = query.tag === undefined ? undefined : resolveScope(server, query, caller).scope.tag;
  const rawLimit = url.searchParams.get("limit") ?? "50";
  if (!/^\d{1,3}$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > 200) throw invalidArgument("limit", "must be between 1 and 200");
  const to = readTime(url.searchParams, "to") ?? server.now() + 1;
  const from = readTime(url.searchParams, "from") ?? 0;
  const { events } = await server.store.scanActivity({ product, env, ...(tag !== undefined ? { tag } : {}), from, to, limit: Number(rawLimit) });
  const result: RecentActivityResult = { events: events.map(toActivityEvent) };
  return json(200, result);
};

/**
 * GET /v1/products: the products, envs and session tags this endpoint serves. Secret keys only;
 * a key scoped to some products or envs sees only those.
 */
export const listProducts: Handler = async (server, { caller }) => {
  const known = requireSecretKey(caller);
  const result: ProductsResult = {
    products: [...server.products].filter(([tag]) => !known.products || known.products.has(tag)).map(([tag, p]) => ({
      tag,
      envs: [...p.envs].filter((env) => !known.envs || known.envs.has(env)),
      sessions: [...p.sessions.values()].map((s) => ({ tag: s.tag, name: s.name })),
    })),
  };
  return json(200, result);
};
