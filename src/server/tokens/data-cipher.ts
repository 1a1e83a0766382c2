import { CompactEncrypt, compactDecrypt } from "jose";
import { utf8 } from "../../shared/base64url.js";
import { hkdf } from "./primitives.js";

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

export function createDataCipher(secret: string): DataCipher {
  let key: Promise<Uint8Array> | undefined;
  const dataKey = () => (key ??= hkdf(utf8(secret), "tessera data-encryption"));
  return {
    async encrypt(sessionId, data) {
      return new CompactEncrypt(utf8(JSON.stringify(data)))
        .setProtectedHeader({ alg: "dir", enc: "A256GCM", typ: "tessera-data", sid: sessionId })
        .encrypt(await dataKey());
    },
    async decrypt(sessionId, jwe) {
      try {
        const { plaintext, protectedHeader } = await compactDecrypt(jwe, await dataKey(), {
          keyManagementAlgorithms: ["dir"],
          contentEncryptionAlgorithms: ["A256GCM"],
        });
        if (protectedHeader.sid !== sessionId) return null;
        const data: unknown = JSON.parse(new TextDecoder().decode(plaintext));
        return typeof data === "object" && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : null;
      } catch {
        return null;
      }
    },
  };
}
