import { decodeProtectedHeader } from "jose";
import type { VerifyFailureReason } from "../shared/protocol.js";
import type { SessionClaims } from "../verify/claims.js";
import { checkSessionToken } from "../verify/check-token.js";
import type { ServerContext } from "./context.js";
import { sameScope } from "./stores/records.js";
import type { Scope, StoredSession } from "./stores/types.js";

export type SessionCheck =
  | { valid: true; claims: SessionClaims; session: StoredSession }
  | { valid: false; reason: VerifyFailureReason; claims?: SessionClaims };

/**
 * A session token checked the way the edge does (signature, kid, alg, expiry, issuer, scope)
 * and then against the store: the session exists, is the same scope, and is not revoked.
 */
export async function checkSession(
  server: ServerContext,
  token: unknown,
  expected: Partial<Scope> = {},
): Promise<SessionCheck> {
  const result = await checkSessionToken(token, server.keyring.getKey, { issuer: server.issuer, now: server.now(), ...expected });
  if (!result.valid) return result;
  const { claims } = result;
  // The data JWE names its session in its protected header (data-cipher.ts). Checked here, not
  // only when verify decrypts it, so track and revoke refuse a token carrying another
  // session's data too (issue 6; only a holder of the signing key could make one).
  if (dataSessionOf(claims.dat) !== claims.sid) return { valid: false, reason: "malformed", claims };
  const session = await server.store.getSession(claims.sid);
  if (!session) return { valid: false, reason: "not_found", claims };
  if (!sameScope(session, claims) || session.identifier !== claims.sub) {
    return { valid: false, reason: "scope", claims };
  }
  if (session.revokedAt !== null) return { valid: false, reason: "revoked", claims };
  return { valid: true, claims, session };
}

function dataSessionOf(jwe: string): unknown {
  try {
    return decodeProtectedHeader(jwe).sid;
  } catch {
    return undefined;
  }
}
