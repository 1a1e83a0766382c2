import { utf8 } from "../../shared/base64url.js";
import { sha256 } from "./sha256.js";

/**
 * HKDF-SHA-256 (RFC 5869) for 32-byte outputs, synchronously. Every start derives its
 * session's data key and every refresh its grace key; `crypto.subtle.deriveKey` (HKDF) cost
 * about 130 µs of CPU per call in Node 20 against a few µs here (bench/quick-ab.mjs), the
 * largest single item of a start beyond the signature and the encryption. The bytes are the
 * same as WebCrypto's deriveBits(256), checked in test/server/hkdf.test.ts, so keys derived
 * before this change still open what they sealed.
 */
export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hmacSha256(salt, ikm);
}

/** T(1) = HMAC(PRK, info || 0x01): the first 32 bytes of HKDF-Expand, all a 256-bit key needs. */
export function hkdfExpand32(prk: Uint8Array, info: string | Uint8Array): Uint8Array {
  const infoBytes = typeof info === "string" ? utf8(info) : info;
  const message = new Uint8Array(infoBytes.length + 1);
  message.set(infoBytes);
  message[infoBytes.length] = 1;
  return hmacSha256(prk, message);
}

/** HMAC-SHA-256 (RFC 2104); keys over the 64-byte block are hashed first. */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const block = new Uint8Array(64);
  block.set(key.length > 64 ? sha256(key) : key);
  const inner = new Uint8Array(64 + message.length);
  const outer = new Uint8Array(64 + 32);
  for (let i = 0; i < 64; i++) {
    inner[i] = block[i]! ^ 0x36;
    outer[i] = block[i]! ^ 0x5c;
  }
  inner.set(message, 64);
  outer.set(sha256(inner), 64);
  return sha256(outer);
}

/** A non-extractable AES-256-GCM key from derived bytes; the bytes are zeroed once imported. */
export async function importAesKey(bytes: Uint8Array): Promise<CryptoKey> {
  try {
    return await crypto.subtle.importKey("raw", bytes as BufferSource, "AES-GCM", false, ["encrypt", "decrypt"]);
  } finally {
    bytes.fill(0);
  }
}
