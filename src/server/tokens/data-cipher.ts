import { CompactEncrypt, compactDecrypt } from "jose";
import { utf8 } from "../../shared/base64url.js";
import { serverKey } from "./primitives.js";
import { randomBytes } from "./random-pool.js";

/**
 * Session data, encrypted for the server alone: a compact JWE (`dir` + `A256GCM`) under a
 * key derived from the server secret. The session id rides in the protected header, which
 * AES-GCM authenticates, so data lifted from another session's token does not decrypt as
 * this session's.
 */
export interface DataCipher {
  encrypt(sessionId: string, data: Record<string, unknown>): Promise<string>;
  /** null when the JWE is not ours or belongs to another session. */
  decrypt(sessionId: string, jwe: string): Promise<Record<string, unknown> | null>;
}

const decoder = new TextDecoder();

export function createDataCipher(secret: string): DataCipher {
  // Derived once, as a non-extractable CryptoKey: handing jose the raw bytes made it import
  // them again on every call (issue 5: ~4% of a start request).
  let key: Promise<CryptoKey> | undefined;
  const dataKey = () => (key ??= serverKey(utf8(secret), "tessera data-encryption"));
  return {
    async encrypt(sessionId, data) {
      return new CompactEncrypt(utf8(JSON.stringify(data)))
        .setProtectedHeader({ alg: "dir", enc: "A256GCM", typ: "tessera-data", sid: sessionId })
        // A fresh random 96-bit IV as jose would draw it, taken from the pool (random-pool.ts).
        .setInitializationVector(randomBytes(12))
        .encrypt(await dataKey());
    },
    async decrypt(sessionId, jwe) {
      try {
        const { plaintext, protectedHeader } = await compactDecrypt(jwe, await dataKey(), {
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
