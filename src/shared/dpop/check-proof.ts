import { decodeBase64url } from "../base64url.js";
import { DPOP_ALG, DPOP_TYP, DPOP_WINDOW_SECONDS, normalizeHtu } from "./constants.js";
import { jwkThumbprint, tokenHash, type DpopPublicJwk } from "./thumbprint.js";

export interface ProofExpectation {
  htm: string;
  /** The URLs this request may have been sent to (the request's own, the public one). */
  htu: string[];
  /** The token the request presents; its proof must carry the matching `ath`. */
  token?: string;
  /** Seconds since the epoch. */
  now: number;
}

export type ProofCheck =
  | { valid: true; jkt: string; jti: string; iat: number; nonce: string | undefined }
  | { valid: false; problem: string };

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const B64 = /^[A-Za-z0-9_-]{43}$/;
const decoder = new TextDecoder();

/**
 * Imported keys and their thumbprints by (x, y): a bound browser signs every call with one key,
 * and each WebCrypto call is a thread-pool round trip in Node (importKey and the thumbprint's
 * digest were 2 of a proof check's 4). Bounded: cleared when full.
 */
const KEYS_CACHED = 1000;
const keys = new Map<string, Promise<{ key: CryptoKey; jkt: string } | null>>();

function importPublic(jwk: DpopPublicJwk): Promise<{ key: CryptoKey; jkt: string } | null> {
  const id = `${jwk.x}.${jwk.y}`;
  let entry = keys.get(id);
  if (!entry) {
    if (keys.size >= KEYS_CACHED) keys.clear();
    entry = Promise.all([
      crypto.subtle.importKey("jwk", { ...jwk, ext: true }, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]),
      jwkThumbprint(jwk),
    ]).then(([key, jkt]) => ({ key, jkt }), () => null);
    keys.set(id, entry);
  }
  return entry;
}

/**
 * Checks a DPoP proof as RFC 9449 §4.3 lists: one compact JWS, `typ` dpop+jwt, ES256 only,
 * a public P-256 `jwk` (no private members) that verifies the signature, `htm` and `htu` of this
 * request, `iat` within ±DPOP_WINDOW_SECONDS, `jti` present, and `ath` when a token is presented.
 * Replay (`jti` seen before) and the binding (`jkt` equal to the token's) are the caller's checks.
 */
export async function checkDpopProof(proof: unknown, expect: ProofExpectation): Promise<ProofCheck> {
  const fail = (problem: string): ProofCheck => ({ valid: false, problem });
  if (typeof proof !== "string" || proof.length > 4096 || !COMPACT.test(proof)) return fail("the proof is not a compact JWS");
  const [h, p, s] = proof.split(".") as [string, string, string];
  const header = parse(h);
  const payload = parse(p);
  if (!header || !payload) return fail("the proof is not a compact JWS");
  if (header.typ !== DPOP_TYP || header.alg !== DPOP_ALG) return fail("the proof's typ or alg is wrong");
  const jwk = header.jwk as Record<string, unknown> | undefined;
  if (typeof jwk !== "object" || jwk === null || jwk.kty !== "EC" || jwk.crv !== "P-256" || typeof jwk.x !== "string" || typeof jwk.y !== "string" || !B64.test(jwk.x) || !B64.test(jwk.y)) {
    return fail("the proof's jwk is not a P-256 public key");
  }
  if ("d" in jwk) return fail("the proof's jwk holds a private key");
  const publicJwk: DpopPublicJwk = { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y };
  const signature = decodeBase64url(s);
  if (!signature || signature.length !== 64) return fail("the proof's signature is malformed");
  const imported = await importPublic(publicJwk);
  if (!imported) return fail("the proof's jwk is not a P-256 public key");
  const good = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, imported.key, signature as BufferSource, new TextEncoder().encode(`${h}.${p}`) as BufferSource);
  if (!good) return fail("the proof's signature does not verify");
  const { jti, htm, htu, iat, ath, nonce } = payload;
  if (typeof jti !== "string" || jti.length < 8 || jti.length > 128) return fail("the proof's jti is missing");
  if (htm !== expect.htm) return fail("the proof's htm is not this request's method");
  const presented = typeof htu === "string" ? normalizeHtu(htu) : null;
  if (presented === null || !expect.htu.some((u) => normalizeHtu(u) === presented)) return fail("the proof's htu is not this request's URL");
  if (typeof iat !== "number" || !Number.isFinite(iat) || Math.abs(iat - expect.now) > DPOP_WINDOW_SECONDS) {
    return fail("the proof's iat is outside the accepted window (clock skew over 5 minutes?)");
  }
  if (expect.token !== undefined && ath !== (await tokenHash(expect.token))) return fail("the proof's ath does not match the presented token");
  if (nonce !== undefined && typeof nonce !== "string") return fail("the proof's nonce is malformed");
  return { valid: true, jkt: imported.jkt, jti, iat, nonce };
}

function parse(segment: string): Record<string, unknown> | null {
  const bytes = decodeBase64url(segment);
  if (!bytes) return null;
  try {
    const value = JSON.parse(decoder.decode(bytes)) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
