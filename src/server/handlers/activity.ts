import type { ActivityResult, Json } from "../../shared/protocol.js";
import type { Handler } from "../context.js";
import { requireSecretKey } from "../http/access.js";
import { queryObject, readPaging, readTime } from "../http/fields.js";
import { json } from "../http/respond.js";
import { resolveProductEnv, resolveScope } from "../scope.js";

/** GET /v1/users/{identifier}/activity?product&env&tag?&from?&to?&page&limit: oldest first. */
export const userActivity: Handler = async (server, { url, caller, params }) => {
  requireSecretKey(caller);
  const query = queryObject(url.searchParams);
  const { product, env } = resolveProductEnv(server, query);
  // With a tag, it must be one of the product's session configs.
  const tag = query.tag === undefined ? undefined : resolveScope(server, query).scope.tag;
  const identifier = params.identifier!;
  const from = readTime(url.searchParams, "from");
  const to = readTime(url.searchParams, "to");
  const { page, limit, offset } = readPaging(url.searchParams);
  const { total, events } = await server.store.listActivity({
    identifier,
    product,
    env,
    ...(tag !== undefined ? { tag } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    offset,
    limit,
  });
  const result: ActivityResult = {
    total,
    page,
    limit,
    events: events.map((e) => ({
      operation: e.operation,
      status: e.status,
      startAt: new Date(e.startAt).toISOString(),
      endAt: new Date(e.endAt).toISOString(),
      message: e.message,
      sessionId: e.sessionId,
      identifier: e.identifier,
      product: e.product,
      env: e.env,
      tag: e.tag,
      ...(e.action !== undefined ? { action: e.action } : {}),
      ...(e.data !== undefined ? { data: JSON.parse(e.data) as Json } : {}),
    })),
  };
  return json(200, result);
};
