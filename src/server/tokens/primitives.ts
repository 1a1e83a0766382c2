import { decodeBase64url, encodeBase64url, utf8 } from "../../shared/base64url.js";
import { hkdfExpand32, hkdfExtract, importAesKey } from "./hkdf.js";
import { sha256 } from "./sha256.js";

/** The server's HKDF salt: every server key is derived under it. */
export const SERVER_SALT = utf8("tessera/v1");

/** The server's AES-256-GCM keys: HKDF of `ikm` under the server salt; `info` separates every use. */
export function serverKey(ikm: Uint8Array, info: string): Promise<CryptoKey> {
  return importAesKey(hkdfExpand32(hkdfExtract(SERVER_SALT, ikm), info));
}

/**
 * SHA-256 of the UTF-8 text, base64url: refresh-token hashes, Idempotency-Key hashes, access-key
 * fingerprints. Synchronous (sha256.ts): a WebCrypto digest cost a thread-pool round trip each.
 */
export function sha256Base64url(text: string): string {
  return encodeBase64url(sha256(utf8(text)));
}

/** AES-256-GCM with a fresh 96-bit IV; `aad` binds the box to where it is stored. Output: base64url(iv || ciphertext). */
export async function seal(key: CryptoKey, plaintext: string, aad: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: utf8(aad) as BufferSource }, key, utf8(plaintext) as BufferSource),
  );
  const out = new Uint8Array(iv.length + ct.length);
  out.set(iv);
  out.set(ct, iv.length);
  return encodeBase64url(out);
}

/** The plaintext, or null when the key, the aad or the box is wrong. */
export async function open(key: CryptoKey, box: string, aad: string): Promise<string | null> {
  const bytes = decodeBase64url(box);
  if (!bytes || bytes.length < 12 + 16) return null;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.subarray(0, 12) as BufferSource, additionalData: utf8(aad) as BufferSource },
      key,
      bytes.subarray(12) as BufferSource,
    );
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}

/**
 * Constant-time equality of a presented string and a known secret string. The loop runs over
 * the known string's length, so the time depends on neither the presented value nor where it
 * first differs; a length mismatch is folded into the result, not returned early.
 */
export function timingSafeEqualText(presented: string, known: string): boolean {
  let diff = presented.length ^ known.length;
  // charCodeAt past the end is NaN, and NaN | 0 is 0: a shorter guess still runs the full loop.
  for (let i = 0; i < known.length; i++) diff |= (presented.charCodeAt(i) | 0) ^ known.charCodeAt(i);
  return diff === 0;
}
