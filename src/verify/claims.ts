/** The claims of a session token's JWS (docs/protocol.md, "Session token"). */
export interface SessionClaims {
  /** Session id. */
  sid: string;
  /** The session's identifier (the value at the config's selector). */
  sub: string;
  /** `<product>/<env>/<tag>`: the one session config the token is for (see sessionAudience). */
  aud: string;
  product: string;
  env: string;
  tag: string;
  iss: string;
  iat: number;
  exp: number;
  jti: string;
  /** The session data: a compact JWE only the server can decrypt. */
  dat: string;
  /** A bound session's key: the RFC 7638 thumbprint its DPoP proofs must be signed with (RFC 9449 §6.1). */
  cnf?: { jkt: string };
}

/** `typ` of the protected header (RFC 8725 §3.11: explicit typing against cross-JWT confusion). */
export const SESSION_TOKEN_TYP = "tessera+jwt";

/** The only algorithms ever accepted; never taken from the token (RFC 8725 §3.1). */
export const SESSION_TOKEN_ALGS = ["ES256", "EdDSA"] as const;

/**
 * The `aud` claim of a session token: `<product>/<env>/<tag>`. One issuer signs for many
 * products, envs and tags, so each token names the one config it is for (RFC 8725 §3.9), and
 * a generic JWT library asked for that audience refuses the others. `/` never occurs in a
 * tag, and without a `:` the value is a plain string, not a URI (RFC 7519 §4.1.3).
 */
export function sessionAudience(scope: { product: string; env: string; tag: string }): string {
  return `${scope.product}/${scope.env}/${scope.tag}`;
}

const STRING_CLAIMS = ["sid", "sub", "aud", "product", "env", "tag", "iss", "jti", "dat"] as const;

export function isSessionClaims(payload: Record<string, unknown>): payload is Record<string, unknown> & SessionClaims {
  return (
    STRING_CLAIMS.every((name) => typeof payload[name] === "string" && (payload[name] as string).length > 0) &&
    typeof payload.iat === "number" &&
    typeof payload.exp === "number" &&
    (payload.cnf === undefined || (typeof payload.cnf === "object" && payload.cnf !== null && typeof (payload.cnf as { jkt?: unknown }).jkt === "string")) &&
    // The audience must be the one its own scope claims spell: a token cannot say two things.
    payload.aud === sessionAudience(payload as unknown as SessionClaims)
  );
}
