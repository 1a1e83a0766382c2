import { decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { VerifyFailureReason } from "../shared/protocol.js";
import { decodeBase64url, encodeBase64url } from "../shared/base64url.js";
import { parseTaggedToken } from "../shared/token-string.js";
import { isSessionClaims, SESSION_TOKEN_ALGS, SESSION_TOKEN_TYP, type SessionClaims } from "./claims.js";

/**
 * What the token must be for. An absent field is not checked: only the server leaves one out
 * (track takes any configured scope; the store then checks the session). The public
 * verifySessionToken refuses absent fields (verify-token.ts).
 */
export interface ExpectedScope {
  issuer: string;
  product?: string;
  env?: string;
  tag?: string;
  /** Milliseconds since the epoch; defaults to Date.now(). */
  now?: number;
}

export type CheckResult =
  | { valid: true; claims: SessionClaims }
  /** `claims` is set when the signature was good (expired, wrong scope): useful for logging. */
  | { valid: false; reason: VerifyFailureReason; claims?: SessionClaims };

/** Header parameters that would let a token choose its own key (RFC 8725 §3.10): refused. */
const KEY_CARRYING_HEADERS = ["jku", "x5u", "jwk", "x5c", "crit"];

/** Three unpadded base64url segments (RFC 7515 §7.1), nothing else: no padding, whitespace or `+/` (an empty signature is left to the alg check). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * How far in the future `iat` may be: clocks of servers and edges drift (RFC 7519 §4.1.4
 * allows "a few minutes" of leeway). Beyond that the token was not issued by a sane clock
 * (issue 6: "issued in the future" is refused).
 */
const MAX_FUTURE_IAT_SECONDS = 300;

/**
 * Checks a `"<tag>:<JWS>"` session token: shape, header, signature with an explicit
 * algorithm allow-list, kid known to `getKey`, expiry, issuer, then product/env/tag.
 * Shared by the server's verify route and the offline `verifySessionToken`.
 * Throws only when the keys cannot be loaded (KeysUnavailable: a remote JWKS down).
 */
export async function checkSessionToken(token: unknown, getKey: JWTVerifyGetKey, expected: ExpectedScope): Promise<CheckResult> {
  const parsed = parseTaggedToken(token);
  if (!parsed || !COMPACT_JWS.test(parsed.value) || !canonicalSignature(parsed.value)) return { valid: false, reason: "malformed" };
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(parsed.value) as Record<string, unknown>;
  } catch {
    return { valid: false, reason: "malformed" };
  }
  if (header.typ !== SESSION_TOKEN_TYP || typeof header.kid !== "string" || KEY_CARRYING_HEADERS.some((h) => h in header)) {
    return { valid: false, reason: "malformed" };
  }
  const now = expected.now ?? Date.now();
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(parsed.value, getKey, {
      algorithms: [...SESSION_TOKEN_ALGS],
      typ: SESSION_TOKEN_TYP,
      currentDate: new Date(now),
      requiredClaims: ["exp", "iat", "sub", "jti", "iss"],
    }));
  } catch (error) {
    return failure(error);
  }
  if (!isSessionClaims(payload)) return { valid: false, reason: "malformed" };
  const claims = payload;
  if (claims.iat > Math.floor(now / 1000) + MAX_FUTURE_IAT_SECONDS) return { valid: false, reason: "malformed" };
  const inScope =
    claims.iss === expected.issuer &&
    claims.tag === parsed.tag &&
    (expected.tag === undefined || claims.tag === expected.tag) &&
    (expected.product === undefined || claims.product === expected.product) &&
    (expected.env === undefined || claims.env === expected.env);
  return inScope ? { valid: true, claims } : { valid: false, reason: "scope", claims };
}

/**
 * base64 decoders (atob, and jose's through it) accept padding and ignore unused trailing bits,
 * so one signature has several spellings. Only the canonical one is accepted, so a token string
 * cannot be varied without the key (issue 6, "re-encoded"). ECDSA's own (r, n-s) twin remains:
 * token strings are not identities; revocation keys on `sid` (SECURITY.md).
 */
function canonicalSignature(compact: string): boolean {
  const signature = compact.slice(compact.lastIndexOf(".") + 1);
  const bytes = decodeBase64url(signature);
  return bytes !== null && encodeBase64url(bytes) === signature;
}

/**
 * Thrown by a key source that could not load its keys (unreachable, 5xx, not JSON, redirected,
 * timed out): an outage on the verifier's side, never an answer about the token.
 */
export class KeysUnavailable extends Error {
  override readonly name = "KeysUnavailable";
}

function failure(error: unknown): CheckResult {
  if (error instanceof KeysUnavailable) throw error;
  if (error instanceof errors.JWTExpired) {
    // jose checks the signature before the claims, so these claims are authentic.
    const payload = error.payload as Record<string, unknown>;
    return { valid: false, reason: "expired", ...(isSessionClaims(payload) ? { claims: payload } : {}) };
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JOSENotSupported
  ) {
    return { valid: false, reason: "signature" };
  }
  if (error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return { valid: false, reason: "malformed" };
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) throw error;
  // Anything else from a malformed compact serialization (bad base64, bad JSON) is the token's fault.
  if (error instanceof errors.JOSEError || error instanceof TypeError || error instanceof SyntaxError) {
    return { valid: false, reason: "malformed" };
  }
  throw error;
}
