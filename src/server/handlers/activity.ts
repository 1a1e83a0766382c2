import { invalidArgument } from "../../shared/errors.js";
import type { ActivityEvent, ActivityResult, Json } from "../../shared/protocol.js";
import type { ActivityRecord } from "../stores/types.js";
import type { Handler } from "../context.js";
import { requireSecretKey } from "../http/access.js";
import { queryObject, readPaging, readTime } from "../http/fields.js";
import { json } from "../http/respond.js";
import { boundedJson } from "../data-bounds.js";
import { resolveProductEnvs } from "../scope.js";

/**
 * GET /v1/users/{identifier}/activity?product?&env?&tag?&operation?&status?&from?&to?&page&limit:
 * oldest first, across the products and envs asked for (all the caller's key reaches when left out).
 */
export const userActivity: Handler = async (server, { url, caller, params }) => {
  requireSecretKey(caller);
  const query = queryObject(url.searchParams);
  const { scopes, tag } = resolveProductEnvs(server, query, caller);
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
    scopes,
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
  ...readableData(e.data),
});

/**
 * Stored track data, parsed. Data entering today is bounded (data-bounds.ts), but a row written
 * before those bounds (or by hand) must not make the whole timeline answer 500: an event whose
 * data does not parse or round-trip within the bounds is listed without its data. Looser than
 * DATA_BOUNDS, so rows stored by earlier versions (up to the body limit) still show.
 */
const READ_BOUNDS = { depth: 256, nodes: Infinity, bytes: Infinity };

function readableData(text: string | undefined): { data?: Json } {
  if (text === undefined) return {};
  try {
    const value = JSON.parse(text) as Json;
    boundedJson(value, "data", READ_BOUNDS);
    return { data: value };
  } catch {
    return {};
  }
}

const OPERATIONS = ["create", "verify", "refresh", "revoke", "track"];

function readChoice<T extends string>(query: URLSearchParams, field: string, choices: readonly string[]): T | undefined {
  const raw = query.get(field);
  if (raw === null || raw === "") return undefined;
  if (!choices.includes(raw)) throw invalidArgument(field, `must be one of ${choices.join(", ")}`);
  return raw as T;
}
