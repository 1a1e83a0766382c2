/** `typ` of a proof's protected header (RFC 9449 §4.2). */
export const DPOP_TYP = "dpop+jwt";

/** The one algorithm: P-256 is what every WebCrypto implements for non-extractable signing keys. */
export const DPOP_ALG = "ES256";

/**
 * How far a proof's `iat` may be from the server's clock, either way. RFC 9449 §11.1 leaves the
 * window to the server; 5 minutes is the leeway RFC 7519 §4.1.4 calls "a few minutes" and the one
 * session tokens already get for `iat` (verify/check-token.ts). A client clock further off is
 * refused (DPOP_INVALID); docs/dpop.md says so.
 */
export const DPOP_WINDOW_SECONDS = 300;

/** The request header carrying the proof, and the response header carrying a server nonce. */
export const DPOP_HEADER = "dpop";
export const DPOP_NONCE_HEADER = "dpop-nonce";

/**
 * RFC 9449 §4.3 (9): `htu` is compared without query and fragment. Returns origin + path, or
 * null for something that is not an http(s) URL.
 */
export function normalizeHtu(url: string): string | null {
  try {
    const u = new URL(url);
    return /^https?:$/.test(u.protocol) ? u.origin + u.pathname : null;
  } catch {
    return null;
  }
}
