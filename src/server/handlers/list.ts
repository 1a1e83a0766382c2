import type { ListActiveResult, ListUsersResult } from "../../shared/protocol.js";
import type { Handler } from "../context.js";
import { requireSecretKey } from "../http/access.js";
import { invalid, optionalString, queryObject, readPaging } from "../http/fields.js";
import { json } from "../http/respond.js";
import { resolveScope } from "../scope.js";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * GET /v1/sessions?product&env&tag&identifier&page&limit&status. Active sessions by default;
 * `status=all` includes revoked and expired ones (until purged). Newest first.
 */
export const listSessions: Handler = async (server, { url, caller }) => {
  requireSecretKey(caller);
  const query = queryObject(url.searchParams);
  const { config, env } = resolveScope(server, query);
  const identifier = optionalString(query, "identifier");
  const status = url.searchParams.get("status") ?? "active";
  if (status !== "active" && status !== "all") throw invalid("status", 'must be "active" or "all"');
  const { page, limit, offset } = readPaging(url.searchParams);
  const now = server.now();
  const { total, sessions } = await server.store.listSessions({
    product: config.product,
    env,
    tag: config.tag,
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
      endAt: iso(s.revokedAt !== null ? Math.min(s.revokedAt, s.refreshExpiresAt) : s.refreshExpiresAt),
      active: s.revokedAt === null && s.refreshExpiresAt > now,
    })),
  };
  return json(200, result);
};

/** GET /v1/users?product&env&tag&page&limit: the session users, most recently seen first. */
export const listUsers: Handler = async (server, { url, caller }) => {
  requireSecretKey(caller);
  const { config, env } = resolveScope(server, queryObject(url.searchParams));
  const { page, limit, offset } = readPaging(url.searchParams);
  const { total, users } = await server.store.listUsers({ product: config.product, env, tag: config.tag, now: server.now(), offset, limit });
  const result: ListUsersResult = {
    total,
    page,
    limit,
    users: users.map((u) => ({ ...u, firstSeen: iso(u.firstSeen), lastSeen: iso(u.lastSeen) })),
  };
  return json(200, result);
};
