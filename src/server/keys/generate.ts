import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";
import { randomBase64url } from "../../shared/base64url.js";
import type { SigningAlg } from "../config/types.js";

/** A new private signing JWK with `kid` (its RFC 7638 thumbprint), `alg` and `use`. */
export async function generateSigningKey(alg: SigningAlg = "ES256"): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === "EdDSA" ? { crv: "Ed25519" } : {}) });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk, "sha256");
  return { ...jwk, kid, alg, use: "sig" };
}

/** 32 random bytes, base64url: the server secret. */
export function generateSecret(): string {
  return randomBase64url(32);
}

/** `tsk_` (secret) or `tpk_` (publishable) followed by 32 random bytes, base64url. */
export function generateAccessKey(kind: "secret" | "publishable"): string {
  return `${kind === "secret" ? "tsk_" : "tpk_"}${randomBase64url(32)}`;
}
