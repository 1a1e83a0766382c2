import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { SessionError } from "../shared/errors.js";
import type { VerifyFailureReason } from "../shared/protocol.js";
import { checkSessionToken } from "./check-token.js";
import { proofBindsToken, type BindingInput } from "./proof-binding.js";

/**
 * A token bound to a key (`cnf.jkt`, docs/dpop.md) is valid only with its DPoP proof: pass the
 * `request` that presented it, or `dpop: { proof, method, url }`. Unbound tokens ignore both.
 */
export interface VerifySessionTokenOptions extends BindingInput {
  /** The endpoint's public keys (GET /.well-known/jwks.json), or */
  jwks?: JSONWebKeySet;
  /** where to fetch them; cached per URL (jose: 5 s timeout, 30 s cooldown, 10 min max age). */
  jwksUrl?: string | URL;
  issuer: string;
  product: string;
  env: string;
  tag: string;
  /** Milliseconds since the epoch; for tests. */
  now?: number;
}

export type OfflineVerifyResult =
  | { valid: true; sessionId: string; identifier: string; expiresAt: string; issuedAt: string }
  /** `dpop`: the token is bound to a key and came without a valid, unreplayed proof from it. */
  | { valid: false; reason: VerifyFailureReason | "dpop" };

const remoteSets = new Map<string, JWTVerifyGetKey>();
// One key set per JWKS object, so imported keys are reused across calls.
const localSets = new WeakMap<JSONWebKeySet, JWTVerifyGetKey>();

/**
 * Verifies a session token without calling the endpoint: signature, expiry, issuer and
 * product/env/tag. It cannot see a revocation and does not decrypt `data` (only the server
 * holds that key): use the verify route when either matters.
 */
export async function verifySessionToken(token: string, options: VerifySessionTokenOptions): Promise<OfflineVerifyResult> {
  const getKey = keySource(options);
  let result;
  try {
    result = await checkSessionToken(token, getKey, options);
  } catch (error) {
    throw new SessionError("VERIFY_FAILED", "the signing keys could not be loaded", { cause: error });
  }
  if (!result.valid) return { valid: false, reason: result.reason };
  const { claims } = result;
  if (!(await proofBindsToken(claims, token, options, options.now ?? Date.now()))) return { valid: false, reason: "dpop" };
  return {
    valid: true,
    sessionId: claims.sid,
    identifier: claims.sub,
    expiresAt: new Date(claims.exp * 1000).toISOString(),
    issuedAt: new Date(claims.iat * 1000).toISOString(),
  };
}

function keySource(options: VerifySessionTokenOptions): JWTVerifyGetKey {
  if (options.jwks) {
    let set = localSets.get(options.jwks);
    if (!set) {
      set = createLocalJWKSet(options.jwks);
      localSets.set(options.jwks, set);
    }
    return set;
  }
  if (options.jwksUrl) {
    const url = String(options.jwksUrl);
    let set = remoteSets.get(url);
    if (!set) {
      set = createRemoteJWKSet(new URL(url));
      remoteSets.set(url, set);
    }
    return set;
  }
  throw new SessionError("INVALID_ARGUMENT", "verifySessionToken needs jwks or jwksUrl", { field: "jwks" });
}
