import { SessionError } from "../../shared/errors.js";
import type { SessionTokens } from "../../shared/protocol.js";
import { recordActivity } from "../activity.js";
import type { Handler, ServerContext } from "../context.js";
import { requireCaller } from "../http/access.js";
import { requireString } from "../http/fields.js";
import { readJsonBody } from "../http/read-body.js";
import { json } from "../http/respond.js";
import { proofOfRequest, requireProof } from "../dpop/require-proof.js";
import { issuePair, sessionEnd } from "../issue-pair.js";
import { resolveScope } from "../scope.js";
import { sameScope } from "../stores/records.js";
import type { StoredSession } from "../stores/types.js";
import { hashRefreshToken, openWithPrevious, parseRefreshToken, sealForPrevious } from "../tokens/refresh-token.js";
import type { SessionConfig } from "../config/types.js";

/**
 * POST /v1/sessions/refresh: rotation with reuse detection (RFC 9700 §4.14.2).
 * - the current token: compare-and-set to a new generation, answer the new pair;
 * - the immediately previous token, within the grace window: the current pair (two tabs
 *   racing, a lost response; DESIGN.md "refresh races");
 * - any older token, or the previous one after the window: the session is revoked.
 */
export const refreshSession: Handler = async (server, { request, caller }) => {
  requireCaller(caller);
  const body = await readJsonBody(request, server.maxBodyBytes);
  const { config, scope } = resolveScope(server, body, caller);
  const presented = requireString(body, "refreshToken", 512);
  const parsed = parseRefreshToken(presented);
  const startAt = server.now();
  if (!parsed || parsed.tag !== config.tag) throw invalidToken();
  const found = await server.store.findRefreshHash(await hashRefreshToken(presented));
  if (!found) throw invalidToken();

  // Two passes suffice: losing the compare-and-set makes our token the previous one, which the
  // second pass answers through the grace window or as reuse. The third is a safety margin.
  for (let attempt = 0; attempt < 3; attempt++) {
    const session = await server.store.getSession(found.sessionId);
    if (!session || !sameScope(session, scope)) throw invalidToken();
    // A bound family (RFC 9449 §5): its refresh token is worthless without the key. Checked before
    // reuse detection, so a stolen old token replayed without the key cannot end the session either.
    if (attempt === 0 && session.jkt) await requireProof(server, proofOfRequest(server, request), session.jkt);
    const log = (status: "success" | "fail", message: string) =>
      recordActivity(server, { ...scope, operation: "refresh", status, startAt, message, sessionId: session.id, identifier: session.identifier });
    if (session.revokedAt !== null) {
      await log("fail", "refresh of a revoked session");
      throw new SessionError("SESSION_REVOKED", "the session has been revoked");
    }
    if (found.generation === session.generation) {
      if (sessionEnd(config, session.createdAt) <= startAt) {
        await log("fail", "the session reached its maximum lifetime");
        throw new SessionError("SESSION_EXPIRED", "the session reached its maximum lifetime; start a new session");
      }
      if (session.refreshExpiresAt <= startAt) {
        await log("fail", "refresh token expired");
        throw new SessionError("REFRESH_EXPIRED", "the refresh token has expired; start a new session");
      }
      const tokens = await rotate(server, config, session, parsed.secret, startAt);
      if (tokens) {
        await log("success", `rotated to generation ${session.generation + 1}`);
        return json(200, tokens);
      }
      continue; // another request rotated first: re-read and take the grace path
    }
    if (found.generation === session.generation - 1 && session.rotatedAt !== null && session.sealedPair !== null && startAt - session.rotatedAt <= server.graceMs) {
      const pair = await openWithPrevious(parsed.secret, session.id, session.generation, session.sealedPair);
      if (pair !== null) {
        await log("success", "previous refresh token within the grace window: current pair returned");
        return json(200, JSON.parse(pair) as SessionTokens);
      }
    }
    // RFC 9700 §4.14.2: an already rotated token means it leaked or a client misbehaves; end the session.
    await server.store.revokeSessions({ ...scope, sessionId: session.id }, startAt);
    await log("fail", `reuse of a rotated refresh token (generation ${found.generation} of ${session.generation}): session revoked`);
    throw new SessionError("REFRESH_REUSED", "this refresh token was already used; the session has been revoked");
  }
  throw new SessionError("REFRESH_FAILED", "the refresh could not be completed; retry");
};

/** The new pair, or null when another request won the compare-and-set. */
async function rotate(server: ServerContext, config: SessionConfig, session: StoredSession, previousSecret: Uint8Array, now: number): Promise<SessionTokens | null> {
  const { tokens, refreshExpiresAt } = await issuePair(
    server,
    config,
    { sessionId: session.id, identifier: session.identifier, product: session.product, env: session.env, tag: session.tag, dataJwe: session.data, jkt: session.jkt },
    now,
    session.createdAt,
  );
  const nextGeneration = session.generation + 1;
  const won = await server.store.rotateRefresh({
    sessionId: session.id,
    expectedHash: session.refreshHash,
    nextHash: await hashRefreshToken(tokens.refreshToken),
    nextGeneration,
    rotatedAt: now,
    refreshExpiresAt,
    sealedPair: await sealForPrevious(previousSecret, session.id, nextGeneration, JSON.stringify(tokens)),
  });
  return won ? tokens : null;
}

function invalidToken(): SessionError {
  return new SessionError("REFRESH_INVALID", "the refresh token is not valid", { field: "refreshToken" });
}
