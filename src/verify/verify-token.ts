import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { SessionError, useDocumentedStatuses } from "../shared/errors.js";
import type { VerifyFailureReason } from "../shared/protocol.js";
import { checkSessionToken, KeysUnavailable } from "./check-token.js";
import { proofBindsToken, type BindingInput } from "./proof-binding.js";
import { remoteKeys } from "./remote-keys.js";

/**
 * The explicit wildcard for `product`, `env` or `tag`: "any value". A symbol, so it can never
 * arrive from an environment variable, a JSON config or a request.
 */
export const ANY: unique symbol = Symbol.for("tessera-sessions/verify.ANY");
export type Any = typeof ANY;

/**
 * A token bound to a key (`cnf.jkt`, docs/dpop.md) is valid only with its DPoP proof: pass the
 * `request` that presented it, or `dpop: { proof, method, url }`. Unbound tokens ignore both.
 */
export interface VerifySessionTokenOptions extends BindingInput {
  /** The endpoint's public keys (GET /.well-known/jwks.json), or */
  jwks?: JSONWebKeySet;
  /**
   * where to fetch them; cached per URL (jose: 5 s timeout, 30 s cooldown, 10 min max age). A
   * URL that failed is not asked again for 10 s: verifications meanwhile throw VERIFY_FAILED.
   */
  jwksUrl?: string | URL;
  issuer: string;
  /** Required: a product tag, or `ANY` to accept every product (spelled out, never implied). */
  product: string | Any;
  /** Required: an env, or `ANY`. An unset variable throws INVALID_ARGUMENT instead of accepting every env. */
  env: string | Any;
  /** Required: a session tag, or `ANY` (a guest token, which anyone can mint, would pass). */
  tag: string | Any;
  /** Milliseconds since the epoch; for tests. */
  now?: number;
}

export type OfflineVerifyResult =
  | { valid: true; sessionId: string; identifier: string; product: string; env: string; tag: string; expiresAt: string; issuedAt: string }
  /** `dpop`: the token is bound to a key and came without a valid, unreplayed proof from it. */
  | { valid: false; reason: VerifyFailureReason | "dpop" };

useDocumentedStatuses();

// One key set per JWKS object, so imported keys are reused across calls.
const localSets = new WeakMap<JSONWebKeySet, JWTVerifyGetKey>();

/**
 * Verifies a session token without calling the endpoint: signature, expiry, issuer, audience
 * and product/env/tag. It cannot see a revocation and does not decrypt `data` (only the server
 * holds that key): use the verify route when either matters.
 *
 * Throws INVALID_ARGUMENT when an option is missing (a scope left undefined must not check
 * nothing), and VERIFY_FAILED when the keys cannot be loaded: a JWKS outage is never an
 * answer about the token.
 */
export async function verifySessionToken(token: string, options: VerifySessionTokenOptions): Promise<OfflineVerifyResult> {
  const expected = checkOptions(options);
  const getKey = keySource(options);
  let result;
  try {
    result = await checkSessionToken(token, getKey, expected);
  } catch (error) {
    if (error instanceof KeysUnavailable) {
      throw new SessionError("VERIFY_FAILED", "the signing keys could not be loaded (the JWKS is unreachable or invalid)", { cause: error });
    }
    throw new SessionError("VERIFY_FAILED", "the signing keys could not be loaded", { cause: error });
  }
  if (!result.valid) return { valid: false, reason: result.reason };
  const { claims } = result;
  if (!(await proofBindsToken(claims, token, options, options.now ?? Date.now()))) return { valid: false, reason: "dpop" };
  return {
    valid: true,
    sessionId: claims.sid,
    identifier: claims.sub,
    product: claims.product,
    env: claims.env,
    tag: claims.tag,
    expiresAt: new Date(claims.exp * 1000).toISOString(),
    issuedAt: new Date(claims.iat * 1000).toISOString(),
  };
}

function checkOptions(options: VerifySessionTokenOptions) {
  if (typeof options !== "object" || options === null) throw new SessionError("INVALID_ARGUMENT", "verifySessionToken needs an options object", { field: "options" });
  if (typeof options.issuer !== "string" || options.issuer === "") throw missing("issuer", "the endpoint's issuer");
  const scope: { product?: string; env?: string; tag?: string } = {};
  for (const field of ["product", "env", "tag"] as const) {
    const value = options[field];
    if (value === ANY) continue;
    if (typeof value !== "string" || value === "") throw missing(field, `a ${field}, or ANY from tessera-sessions/verify to accept every ${field}`);
    scope[field] = value;
  }
  return { issuer: options.issuer, ...scope, ...(options.now !== undefined ? { now: options.now } : {}) };
}

const missing = (field: string, what: string) =>
  new SessionError("INVALID_ARGUMENT", `verifySessionToken: ${field} is required (${what})`, { field, status: 400 });

function keySource(options: VerifySessionTokenOptions): JWTVerifyGetKey {
  if (options.jwks) {
    let set = localSets.get(options.jwks);
    if (!set) {
      set = createLocalJWKSet(options.jwks);
      localSets.set(options.jwks, set);
    }
    return set;
  }
  if (options.jwksUrl) return remoteKeys(String(options.jwksUrl));
  throw new SessionError("INVALID_ARGUMENT", "verifySessionToken needs jwks or jwksUrl", { field: "jwks", status: 400 });
}
