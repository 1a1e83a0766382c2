import { encodeBase64url, utf8 } from "../base64url.js";

/** The public part of a P-256 key, the only kind of DPoP key tessera makes or accepts. */
export interface DpopPublicJwk {
  kty: "EC";
  crv: "P-256";
  x: string;
  y: string;
}

/**
 * RFC 7638 JWK thumbprint: SHA-256 of the required members in lexicographic order, no
 * whitespace, base64url. For an EC key those are crv, kty, x, y (§3.2). This value is the
 * `jkt` a session is bound to (RFC 9449 §6.1).
 */
export async function jwkThumbprint(jwk: DpopPublicJwk): Promise<string> {
  const canonical = `{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}","y":"${jwk.y}"}`;
  return encodeBase64url(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(canonical) as BufferSource)));
}

/** `ath` (RFC 9449 §4.2): base64url SHA-256 of the token exactly as presented (`<tag>:<jws>`). */
export async function tokenHash(token: string): Promise<string> {
  return encodeBase64url(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(token) as BufferSource)));
}
