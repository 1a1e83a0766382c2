import { invalidArgument } from "../../shared/errors.js";
import type { ActivityEvent, ActivityResult, Json } from "../../shared/protocol.js";
import type { ActivityRecord } from "../stores/types.js";
import type { Handler } from "../context.js";
import { requireSecretKey } from "../http/access.js";
import { queryObject, readPaging, readTime } from "../http/fields.js";
import { json } from "../http/respond.js";
import { resolveProductEnv, resolveScope } from "../scope.js";

/** GET /v1/users/{identifier}/activity?product&env&tag?&operation?&status?&from?&to?&page&limit: oldest first. */
export const userActivity: Handler = async (server, { url, caller, params }) => {
  requireSecretKey(caller);
  const query = queryObject(url.searchParams);
  const { product, env } = resolveProductEnv(server, query);
  // With a tag, it must be one of the product's session configs.
  const tag = query.tag === undefined ? undefined : resolveScope(server, query).scope.tag;
  const identifier = params.identifier!;
  const from = readTime(url.searchParams, "from");
  const to = readTime(url.searchParams, "to");
  const operation = readChoice<ActivityRecord["operation"]>(url.searchParams, "operation", OPERATIONS);
  const status = readChoice<ActivityRecord["status"]>(url.searchParams, "status", ["success", "fail"]);
  const { page, limit, offset } = readPaging(url.searchParams);
  const { total, events } = await server.store.listActivity({
    ...(operation !== undefined ? { operation } : {}),
    ...(status !== undefined ? { status } : {}),
    identifier,
    product,
    env,
    ...(tag !== undefined ? { tag } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    offset,
    limit,
  });
  const result: ActivityResult = { total, page, limit, events: events.map(toActivityEvent) };
  return json(200, result);
};

export const toActivityEvent = (e: ActivityRecord): ActivityEvent => ({
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
});

const OPERATIONS = ["create", "verify", "refresh", "revoke", "track"];

function readChoice<T extends string>(query: URLSearchParams, field: string, choices: readonly string[]): T | undefined {
  const raw = query.get(field);
  if (raw === null || raw === "") return undefined;
  if (!choices.includes(raw)) throw invalidArgument(field, `must be one of ${choices.join(", ")}`);
  return raw as T;
}
