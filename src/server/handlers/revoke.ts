import { SessionError } from "../../shared/errors.js";
import { recordActivity } from "../activity.js";
import { checkSession } from "../check-session.js";
import type { Handler, ServerContext } from "../context.js";
import { requireCaller, requireSecretKey } from "../http/access.js";
import { optionalString, requireString } from "../http/fields.js";
import { readJsonBody } from "../http/read-body.js";
import { SESSION_TOKEN_HEADER } from "../http/session-header.js";
import { json } from "../http/respond.js";
import { proofOfRequest, requireProof } from "../dpop/require-proof.js";
import { resolveScope } from "../scope.js";
import { sameScope } from "../stores/records.js";
import type { Scope } from "../stores/types.js";
import { hashRefreshToken, parseRefreshToken } from "../tokens/refresh-token.js";

/**
 * POST /v1/sessions/revoke with exactly one of `sessionId`, `identifier`, `refreshToken`.
 * Publishable keys revoke only what the caller holds: by refreshToken, or by sessionId
 * when `X-Session-Token` carries a token of that same session.
 */
export const revokeSession: Handler = async (server, { request, caller }) => {
  const known = requireCaller(caller);
  const body = await readJsonBody(request, server.maxBodyBytes);
  const { scope } = resolveScope(server, body, caller);
  const targets = (["sessionId", "identifier", "refreshToken"] as const).filter((f) => body[f] !== undefined && body[f] !== null);
  if (targets.length !== 1) {
    throw new SessionError("INVALID_ARGUMENT", "give exactly one of sessionId, identifier, refreshToken", { field: targets[1] ?? "sessionId" });
  }
  const startAt = server.now();

  if (targets[0] === "identifier") {
    requireSecretKey(known);
    const identifier = requireString(body, "identifier");
    const revoked = await server.store.revokeSessions({ ...scope, identifier }, startAt);
    await recordActivity(server, { ...scope, operation: "revoke", status: "success", startAt, message: `revoked ${revoked} session(s) by identifier`, sessionId: null, identifier });
    return json(200, { revoked });
  }

  let sessionId: string;
  if (targets[0] === "refreshToken") {
    const token = requireString(body, "refreshToken", 512);
    const parsed = parseRefreshToken(token);
    const found = parsed && parsed.tag === scope.tag ? await server.store.findRefreshHash(await hashRefreshToken(token)) : null;
    if (!found) throw new SessionError("REFRESH_INVALID", "the refresh token is not valid", { field: "refreshToken" });
    sessionId = found.sessionId;
  } else {
    sessionId = requireString(body, "sessionId", 128);
    if (known.kind !== "secret") await requireOwnSession(server, request, sessionId, scope);
  }
  const session = await server.store.getSession(sessionId);
  if (!session || !sameScope(session, scope)) {
    throw new SessionError("SESSION_NOT_FOUND", "no such session", { field: targets[0] });
  }
  // What the browser holds of a bound session revokes it only with the key; a backend's secret key needs none.
  if (session.jkt && known.kind !== "secret") await requireProof(server, proofOfRequest(server, request), session.jkt);
  const revoked = await server.store.revokeSessions({ ...scope, sessionId }, startAt);
  await recordActivity(server, { ...scope, operation: "revoke", status: "success", startAt, message: revoked ? "session revoked" : "session was already ended", sessionId, identifier: session.identifier });
  return json(200, { revoked });
};

/** POST /v1/sessions/revoke-all: every session of an identifier, optionally but one. Secret keys only. */
export const revokeAllSessions: Handler = async (server, { request, caller }) => {
  requireSecretKey(caller);
  const body = await readJsonBody(request, server.maxBodyBytes);
  const { scope } = resolveScope(server, body, caller);
  const identifier = requireString(body, "identifier");
  const excludeSessionId = optionalString(body, "excludeSessionId", 128);
  const startAt = server.now();
  const revoked = await server.store.revokeSessions({ ...scope, identifier, ...(excludeSessionId ? { excludeSessionId } : {}) }, startAt);
  await recordActivity(server, {
    ...scope,
    operation: "revoke",
    status: "success",
    startAt,
    message: `revoked ${revoked} session(s)${excludeSessionId ? " except the current one" : ""}`,
    sessionId: null,
    identifier,
  });
  return json(200, { revoked });
};

async function requireOwnSession(server: ServerContext, request: Request, sessionId: string, scope: Scope) {
  const token = request.headers.get(SESSION_TOKEN_HEADER);
  if (token === null) {
    throw new SessionError("FORBIDDEN", "a publishable key revokes by sessionId only with that session's token in X-Session-Token");
  }
  const check = await checkSession(server, token, scope);
  // An expired token still proves the caller held this session; a forged one does not.
  const claims = check.valid || check.reason === "expired" ? check.claims : undefined;
  if (!claims || claims.sid !== sessionId) {
    throw new SessionError("FORBIDDEN", "X-Session-Token is not a token of this session");
  }
}
