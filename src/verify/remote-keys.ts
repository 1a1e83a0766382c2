import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from "jose";
import { KeysUnavailable } from "./check-token.js";

/**
 * How long a JWKS URL that failed is not asked again. jose's remote set fetches again on every
 * call while it holds no keys, so a JWKS that is down took one request per verification (a
 * verifier under load would hammer the endpoint that is already failing). 10 s: the same order
 * as jose's 30 s cooldown for unknown kids, short enough that recovery is seen quickly.
 */
export const JWKS_FAILURE_TTL_MS = 10_000;

interface Remote {
  getKey: JWTVerifyGetKey;
  failedUntil: number;
}

const remotes = new Map<string, Remote>();

/**
 * A key source for a JWKS URL, one per URL per process (jose caches keys: 5 s timeout, 30 s
 * cooldown, 10 min max age). Any failure to load the set (unreachable, non-200 including a
 * redirect, not JSON, not a JWKS, timeout) becomes KeysUnavailable, so it can never read as a
 * forged token; a kid the set does not hold stays JWKSNoMatchingKey ("signature").
 */
export function remoteKeys(url: string): JWTVerifyGetKey {
  let remote = remotes.get(url);
  if (!remote) {
    remote = { getKey: createRemoteJWKSet(new URL(url)), failedUntil: 0 };
    remotes.set(url, remote);
  }
  const entry = remote;
  return async (header, token) => {
    if (Date.now() < entry.failedUntil) throw new KeysUnavailable("the JWKS failed recently; not asked again yet");
    try {
      return await entry.getKey(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      entry.failedUntil = Date.now() + JWKS_FAILURE_TTL_MS;
      throw new KeysUnavailable("the JWKS could not be loaded", { cause: error });
    }
  };
}
