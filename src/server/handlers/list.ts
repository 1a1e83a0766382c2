import type { ListActiveResult, ListUsersResult } from "../../shared/protocol.js";
import type { Handler } from "../context.js";
import { requireSecretKey } from "../http/access.js";
import { invalidArgument } from "../../shared/errors.js";
import { optionalString, queryObject, readPaging } from "../http/fields.js";
import { json } from "../http/respond.js";
import { resolveProductEnvs, resolveScope } from "../scope.js";
import { endOf, isActive } from "../stores/records.js";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * GET /v1/sessions?product&env&tag&identifier&page&limit&status. Active sessions by default;
 * `status=all` includes revoked and expired ones (until purged). Newest first.
 */
export const listSessions: Handler = async (server, { url, caller }) => {
  requireSecretKey(caller);
  const query = queryObject(url.searchParams);
  const { scope } = resolveScope(server, query, caller);
  const identifier = optionalString(query, "identifier");
  const status = url.searchParams.get("status") ?? "active";
  if (status !== "active" && status !== "all") throw invalidArgument("status", 'must be "active" or "all"');
  const { page, limit, offset } = readPaging(url.searchParams);
  const now = server.now();
  const { total, sessions } = await server.store.listSessions({
    ...scope,
    ...(identifier !== undefined ? { identifier } : {}),
    activeOnly: status === "active",
    now,
    offset,
    limit,
  });
  const result: ListActiveResult = {
    total,
    page,
    limit,
    sessions: sessions.map((s) => ({
      sessionId: s.id,
      identifier: s.identifier,
      startAt: iso(s.createdAt),
      endAt: iso(endOf(s)),
      active: isActive(s, now),
    })),
  };
  return json(200, result);
};

/**
 * Per product and env, the users list reads at most this many user rows (docs/protocol.md
 * "Users"): the most recently seen, or with `search` the first in identifier order from it.
 */
export const USER_SCAN_LIMIT = 10_000;

/**
 * GET /v1/users?product?&env?&tag?&search&active&page&limit: the session users, most recently
 * seen first, one row per identifier across the tags, products and envs asked for (all of
 * them the caller's key reaches when left out); `search` keeps identifiers that start with it,
 * `active=true` those with an active session (`false`, or none, keeps everyone).
 */
export const listUsers: Handler = async (server, { url, caller }) => {
  requireSecretKey(caller);
  const query = queryObject(url.searchParams);
  const { scopes, tag } = resolveProductEnvs(server, query, caller);
  const search = optionalString(query, "search", 256);
  const active = url.searchParams.get("active");
  if (active !== null && active !== "true" && active !== "false") throw invalidArgument("active", 'must be "true" or "false"');
  const { page, limit, offset } = readPaging(url.searchParams);
  const { total, users, truncated } = await server.store.listUsers({
    scopes,
    ...(tag !== undefined ? { tag } : {}),
    ...(search !== undefined ? { search } : {}),
    activeOnly: active === "true",
    now: server.now(),
    offset,
    limit,
    scanLimit: USER_SCAN_LIMIT,
  });
  const result: ListUsersResult = {
    total,
    page,
    limit,
    truncated,
    users: users.map((u) => ({ ...u, firstSeen: iso(u.firstSeen), lastSeen: iso(u.lastSeen) })),
  };
  return json(200, result);
};
