/**
 * Session data are encrypted under a key of their own session (HKDF over the session id), not
 * one key for every session with random IVs (bounded at 2^32 encryptions, NIST SP 800-38D §8.3).
 */
import { compactDecrypt, CompactEncrypt, decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { generateSecret } from "../../src/server/index.js";
import { hkdfAesKey } from "../../src/shared/hkdf.js";
import { utf8 } from "../../src/shared/base64url.js";
import { createDataCipher } from "../../src/server/tokens/data-cipher.js";
import { harness, SCOPE, SEED_DATA } from "../server/helpers.js";

const dat = (token: string) => decodeJwt(token.slice(token.indexOf(":") + 1)).dat as string;
const sessionKey = (secret: string, sid: string) => hkdfAesKey(utf8(secret), "tessera/v1", `tessera data-encryption ${sid}`);
const sharedKey = (secret: string) => hkdfAesKey(utf8(secret), "tessera/v1", "tessera data-encryption");

describe("per-session data keys", () => {
  it("each session's data open under HKDF(secret, its sid) and under no other session's key or a shared key", async () => {
    const secret = generateSecret();
    const h = await harness({ secret });
    const a = await h.start();
    const b = await h.start();
    expect(decodeProtectedHeader(dat(a.token))).toMatchObject({ alg: "dir", enc: "A256GCM", sid: a.sessionId, kdf: "sid" });
    const opens = async (jwe: string, key: Promise<CryptoKey>) => compactDecrypt(jwe, await key).then(() => true, () => false);
    expect(await opens(dat(a.token), sessionKey(secret, a.sessionId))).toBe(true);
    expect(await opens(dat(a.token), sessionKey(secret, b.sessionId))).toBe(false);
    expect(await opens(dat(a.token), sharedKey(secret))).toBe(false);
    // Refresh re-signs the same JWE: one encryption per session key, ever.
    const refreshed = await h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: a.refreshToken });
    expect(dat(refreshed.body.token)).toBe(dat(a.token));
  });

  it("data sealed under the former shared key (sessions started before) still decrypt", async () => {
    const secret = generateSecret();
    const cipher = createDataCipher(secret);
    const sid = crypto.randomUUID();
    const legacy = await new CompactEncrypt(utf8(JSON.stringify(SEED_DATA)))
      .setProtectedHeader({ alg: "dir", enc: "A256GCM", typ: "tessera-data", sid })
      .encrypt(await sharedKey(secret));
    expect(await cipher.decrypt(sid, legacy)).toEqual(SEED_DATA);
    expect(await cipher.decrypt(crypto.randomUUID(), legacy)).toBeNull();
    expect(await cipher.decrypt(sid, await cipher.encrypt(sid, SEED_DATA))).toEqual(SEED_DATA);
  });
});
