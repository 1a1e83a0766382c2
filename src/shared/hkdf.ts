import { utf8 } from "./base64url.js";

/**
 * HKDF-SHA-256 (RFC 5869) from `ikm` straight into a non-extractable AES-256-GCM key: the
 * derived bits never exist as bytes, and the key is imported once, not at every use (issue 5).
 * The same bits as deriveBits(256) then importKey, so keys derived either way are one key.
 * `salt` separates tessera's parts (server, client storage), `info` each use within a part.
 */
export async function hkdfAesKey(ikm: Uint8Array, salt: string, info: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", new Uint8Array(ikm), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: utf8(salt) as BufferSource, info: utf8(info) as BufferSource },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}
