import { decodeBase64url, encodeBase64url } from "../../shared/base64url.js";
import { formatTaggedToken, parseTaggedToken } from "../../shared/token-string.js";
import { open, seal, serverKey, sha256Base64url } from "./primitives.js";
import { randomBytes } from "./random-pool.js";

/** `"<tag>:<base64url of 32 random bytes>"`: 256 bits from crypto.getRandomValues. */
export function newRefreshToken(tag: string): string {
  return formatTaggedToken(tag, encodeBase64url(randomBytes(32)));
}

/** Only this hash is stored (the refresh token itself never is): SHA-256, base64url. */
export function hashRefreshToken(token: string): string {
  return sha256Base64url(token);
}

/** The tag and the 32 secret bytes, or null when the token cannot be one of ours. */
export function parseRefreshToken(token: unknown): { tag: string; secret: Uint8Array } | null {
  const parsed = parseTaggedToken(token);
  const secret = parsed && decodeBase64url(parsed.value);
  return parsed && secret?.length === 32 ? { tag: parsed.tag, secret } : null;
}

/**
 * The grace window (issue 3 §4) hands the *current* pair to the holder of the previous
 * refresh token. Only hashes are stored, so the current pair is kept sealed under a key
 * derived from the previous token's secret bytes: only its holder can open it, and a
 * database dump reveals nothing.
 */
export async function sealForPrevious(previousSecret: Uint8Array, sessionId: string, generation: number, pair: string): Promise<string> {
  return seal(await graceKey(previousSecret, sessionId), pair, `${sessionId}:${generation}`);
}

export async function openWithPrevious(previousSecret: Uint8Array, sessionId: string, generation: number, box: string): Promise<string | null> {
  return open(await graceKey(previousSecret, sessionId), box, `${sessionId}:${generation}`);
}

const graceKey = (previousSecret: Uint8Array, sessionId: string) => serverKey(previousSecret, `tessera refresh-grace ${sessionId}`);
