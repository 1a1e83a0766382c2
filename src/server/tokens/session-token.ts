import { SignJWT } from "jose";
import { encodeBase64url } from "../../shared/base64url.js";
import { formatTaggedToken } from "../../shared/token-string.js";
import { SESSION_TOKEN_TYP, sessionAudience } from "../../verify/claims.js";
import type { Keyring } from "../keys/keyring.js";
import { randomBytes } from "./random-pool.js";

export interface TokenSubject {
  sessionId: string;
  identifier: string;
  product: string;
  env: string;
  tag: string;
  /** The session data as a JWE (see data-cipher.ts). */
  dataJwe: string;
  /** The DPoP key thumbprint of a bound session: the `cnf.jkt` claim (RFC 9449 §6.1). */
  jkt?: string | null;
}

/**
 * The longest session token `start` issues (docs/protocol.md). Tokens travel in a header on
 * every request: 8,192 characters stays well under Node's 16 KiB for all headers and the
 * verify route's 16,384, also after a refresh under a key with a longer `kid`.
 */
export const MAX_TOKEN_CHARS = 8_192;

/** Signs `"<tag>:<JWS>"` with the newest key; `kid` and `typ` in the protected header. */
export async function issueSessionToken(
  keyring: Keyring,
  issuer: string,
  subject: TokenSubject,
  issuedAtMs: number,
  expiresAtMs: number,
): Promise<string> {
  const { key, kid, alg } = await keyring.signer();
  const jws = await new SignJWT({
    sid: subject.sessionId,
    product: subject.product,
    env: subject.env,
    tag: subject.tag,
    dat: subject.dataJwe,
    ...(subject.jkt ? { cnf: { jkt: subject.jkt } } : {}),
  })
    .setProtectedHeader({ alg, kid, typ: SESSION_TOKEN_TYP })
    .setIssuer(issuer)
    .setAudience(sessionAudience(subject))
    .setSubject(subject.identifier)
    .setIssuedAt(Math.floor(issuedAtMs / 1000))
    .setExpirationTime(Math.floor(expiresAtMs / 1000))
    .setJti(encodeBase64url(randomBytes(16)))
    .sign(key);
  return formatTaggedToken(subject.tag, jws);
}
