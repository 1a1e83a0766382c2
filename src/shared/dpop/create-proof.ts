import { encodeBase64url, randomBase64url, utf8 } from "../base64url.js";
import { DPOP_ALG, DPOP_TYP } from "./constants.js";
import { tokenHash, type DpopPublicJwk } from "./thumbprint.js";

export interface ProofRequest {
  /** HTTP method, upper case. */
  htm: string;
  /** The request URL; query and fragment are dropped (RFC 9449 §4.2). */
  htu: string;
  /** The session token presented with the request: its hash becomes `ath`. */
  token?: string;
  /** The latest `DPoP-Nonce` the server sent, if any. */
  nonce?: string;
  /** Seconds since the epoch; defaults to the local clock. */
  iat?: number;
}

const json64 = (value: unknown) => encodeBase64url(utf8(JSON.stringify(value)));

/**
 * A DPoP proof JWT (RFC 9449 §4.2) signed with `privateKey` (ECDSA P-256, may be
 * non-extractable). WebCrypto's ECDSA signature is r || s, exactly the JWS form (RFC 7518
 * §3.4), so no JOSE library is needed in the page.
 */
export async function createDpopProof(privateKey: CryptoKey, jwk: DpopPublicJwk, request: ProofRequest): Promise<string> {
  const url = new URL(request.htu);
  const payload: Record<string, unknown> = {
    jti: randomBase64url(16),
    htm: request.htm,
    htu: url.origin + url.pathname,
    iat: request.iat ?? Math.floor(Date.now() / 1000),
  };
  if (request.token !== undefined) payload.ath = await tokenHash(request.token);
  if (request.nonce !== undefined) payload.nonce = request.nonce;
  const input = `${json64({ typ: DPOP_TYP, alg: DPOP_ALG, jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } })}.${json64(payload)}`;
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, utf8(input) as BufferSource);
  return `${input}.${encodeBase64url(new Uint8Array(signature))}`;
}
