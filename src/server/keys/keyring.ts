import { createLocalJWKSet, importJWK, type CryptoKey, type JWK, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { decodeBase64url } from "../../shared/base64url.js";
import { configError } from "../config/config-error.js";
import type { SigningAlg } from "../config/types.js";

export interface Keyring {
  /** The newest key (keys[0]); it signs every new token. */
  signer: () => Promise<{ key: CryptoKey; kid: string; alg: SigningAlg }>;
  /** Public keys only, as served at /.well-known/jwks.json. */
  jwks: JSONWebKeySet;
  /** Resolves a token's `kid` against every configured key. */
  getKey: JWTVerifyGetKey;
}

const CURVES: Record<SigningAlg, { kty: string; crv: string; coords: string[] }> = {
  ES256: { kty: "EC", crv: "P-256", coords: ["x", "y"] },
  EdDSA: { kty: "OKP", crv: "Ed25519", coords: ["x"] },
};

/** Checks the private JWKs at creation; imports the signing key once, lazily (import is async). */
export function createKeyring(keys: unknown): Keyring {
  if (!Array.isArray(keys) || keys.length === 0) throw configError("keys", "at least one private signing JWK is required (see generateSigningKey)");
  const kids = new Set<string>();
  const publics: JWK[] = keys.map((key: JWK, i) => {
    const field = `keys[${i}]`;
    if (typeof key !== "object" || key === null) throw configError(field, "must be a JWK object");
    if (typeof key.kid !== "string" || key.kid.length === 0) throw configError(`${field}.kid`, "is required");
    if (kids.has(key.kid)) throw configError(`${field}.kid`, `kid "${key.kid}" is used twice`);
    kids.add(key.kid);
    const shape = CURVES[key.alg as SigningAlg];
    if (!shape || !Object.prototype.hasOwnProperty.call(CURVES, key.alg as string)) throw configError(`${field}.alg`, `must be "ES256" or "EdDSA" (kid "${key.kid}")`);
    if (key.kty !== shape.kty || key.crv !== shape.crv) throw configError(field, `kid "${key.kid}": ${key.alg} needs kty ${shape.kty} and crv ${shape.crv}`);
    for (const part of [...shape.coords, "d"]) {
      const value = (key as Record<string, unknown>)[part];
      if (typeof value !== "string" || decodeBase64url(value)?.length !== 32) {
        throw configError(`${field}.${part}`, `kid "${key.kid}": ${part === "d" ? "the private part d is missing or malformed" : `${part} is malformed`}`);
      }
    }
    const pub: JWK = { kty: key.kty, crv: key.crv, x: key.x, kid: key.kid, alg: key.alg, use: "sig" };
    if (key.y) pub.y = key.y;
    return pub;
  });
  const jwks: JSONWebKeySet = { keys: publics };
  const first = keys[0] as JWK;
  let signing: Promise<{ key: CryptoKey; kid: string; alg: SigningAlg }> | undefined;
  return {
    jwks,
    getKey: createLocalJWKSet(jwks),
    signer: () => {
      signing ??= importJWK(first, first.alg).then((key) => ({ key: key as CryptoKey, kid: first.kid!, alg: first.alg as SigningAlg }));
      return signing;
    },
  };
}
