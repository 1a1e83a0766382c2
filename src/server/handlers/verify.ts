import type { VerifyResult } from "../../shared/protocol.js";
import { recordActivity } from "../activity.js";
import { checkSession } from "../check-session.js";
import type { Handler } from "../context.js";
import { requireCaller } from "../http/access.js";
import { requireString } from "../http/fields.js";
import { readJsonBody } from "../http/read-body.js";
import { json } from "../http/respond.js";
import { requireTokenProof } from "../dpop/binding.js";
import { resolveScope } from "../scope.js";
import { sameScope } from "../stores/records.js";

/**
 * POST /v1/sessions/verify. A bad, expired or revoked token is an answer, not an error:
 * 200 `{ valid: false, reason }`. Only a malformed request is a 4xx.
 */
export const verifySession: Handler = async (server, { request, caller }) => {
  const known = requireCaller(caller);
  const body = await readJsonBody(request, server.maxBodyBytes);
  const { config, scope } = resolveScope(server, body, caller);
  // `data` in clear only to secret keys, unless the config opts in (docs/protocol.md).
  const withData = known.kind === "secret" || config.exposeData;
  const token = requireString(body, "token", 16_384);
  const startAt = server.now();
  const check = await checkSession(server, token, scope);
  let result: VerifyResult;
  if (!check.valid) {
    result = { valid: false, reason: check.reason };
  } else {
    await requireTokenProof(server, request, check.claims, token, { body, secretCaller: known.kind === "secret" });
    const data = await server.cipher.decrypt(check.claims.sid, check.claims.dat);
    result = data
      ? {
          valid: true,
          ...(withData ? { data: data as never } : {}),
          sessionId: check.claims.sid,
          identifier: check.claims.sub,
          expiresAt: new Date(check.claims.exp * 1000).toISOString(),
        }
      : { valid: false, reason: "malformed" };
  }
  // Only authentic claims name a user to log against; forged tokens leave no trace in a user's timeline.
  if (check.claims && sameScope(check.claims, scope)) {
    await recordActivity(server, {
      ...scope,
      operation: "verify",
      status: result.valid ? "success" : "fail",
      startAt,
      message: result.valid ? "token valid" : `token invalid: ${result.reason}`,
      sessionId: check.claims.sid,
      identifier: check.claims.sub,
    });
  }
  return json(200, result);
};
