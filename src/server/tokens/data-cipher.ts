import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from "jose";
import { utf8 } from "../../shared/base64url.js";
import { hkdfExpand32, hkdfExtract, importAesKey } from "./hkdf.js";
import { SERVER_SALT, serverKey } from "./primitives.js";
import { randomBytes } from "./random-pool.js";

/**
 * Session data, encrypted for the server alone: a compact JWE (`dir` + `A256GCM`). The
 * session id rides in the protected header, which AES-GCM authenticates, so data lifted from
 * another session's token does not decrypt as this session's.
 *
 * Each session has its own key, HKDF(server secret, info "tessera data-encryption <sid>"),
 * marked `kdf: "sid"` in the header. One key for every session with random 96-bit IVs is
 * bounded at 2^32 encryptions (NIST SP 800-38D §8.3), weeks at the measured start rate; a
 * session's data are encrypted once (refresh re-signs the same JWE), so no key ever meets
 * that bound. JWEs without `kdf` were made under the former single key and still open.
 */
export interface DataCipher {
  encrypt(sessionId: string, data: Record<string, unknown>): Promise<string>;
  /** null when the JWE is not ours or belongs to another session. */
  decrypt(sessionId: string, jwe: string): Promise<Record<string, unknown> | null>;
}

const decoder = new TextDecoder();
const KDF = "sid";
/**
 * Derived keys of recently seen sessions, so a verify of a hot session costs no derivation.
 * Only keys are cached, never answers: verify still asks the store whether the session is
 * revoked before it decrypts (check-session.ts).
 */
const CACHE_SIZE = 1_024;

export function createDataCipher(secret: string): DataCipher {
  // Imported once, as non-extractable CryptoKeys: handing jose raw bytes made it import them
  // again on every call (issue 5: ~4% of a start request).
  let legacy: Promise<CryptoKey> | undefined;
  // HKDF-Extract once; each session's key is then one HKDF-Expand (hkdf.ts).
  let prk: Uint8Array | undefined;
  const legacyKey = () => (legacy ??= serverKey(utf8(secret), "tessera data-encryption"));
  const cache = new Map<string, Promise<CryptoKey>>();
  const sessionKey = (sessionId: string): Promise<CryptoKey> => {
    let key = cache.get(sessionId);
    if (key) {
      cache.delete(sessionId);
    } else {
      prk ??= hkdfExtract(SERVER_SALT, utf8(secret));
      key = importAesKey(hkdfExpand32(prk, `tessera data-encryption ${sessionId}`));
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(sessionId, key);
    return key;
  };
  return {
    async encrypt(sessionId, data) {
      return new CompactEncrypt(utf8(JSON.stringify(data)))
        .setProtectedHeader({ alg: "dir", enc: "A256GCM", typ: "tessera-data", sid: sessionId, kdf: KDF })
        // A fresh random 96-bit IV as jose would draw it, taken from the pool (random-pool.ts).
        .setInitializationVector(randomBytes(12))
        .encrypt(await sessionKey(sessionId));
    },
    async decrypt(sessionId, jwe) {
      try {
        const header = decodeProtectedHeader(jwe);
        if (header.sid !== sessionId) return null;
        const key = header.kdf === KDF ? await sessionKey(sessionId) : await legacyKey();
        const { plaintext, protectedHeader } = await compactDecrypt(jwe, key, {
          keyManagementAlgorithms: ["dir"],
          contentEncryptionAlgorithms: ["A256GCM"],
        });
        if (protectedHeader.sid !== sessionId) return null;
        const data: unknown = JSON.parse(decoder.decode(plaintext));
        return typeof data === "object" && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : null;
      } catch {
        return null;
      }
    },
  };
}
