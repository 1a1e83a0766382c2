import { describe, expect, it } from "vitest";
import { hkdfExpand32, hkdfExtract, hmacSha256 } from "../../src/server/tokens/hkdf.ts";
import { createDataCipher } from "../../src/server/tokens/data-cipher.ts";
import { hkdfAesKey } from "../../src/shared/hkdf.ts";
import { CompactEncrypt } from "jose";

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (s: string) => new Uint8Array(s.match(/../g)!.map((h) => parseInt(h, 16)));
const text = (s: string) => new TextEncoder().encode(s);

async function webCryptoHkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array): Promise<Uint8Array> {
  const base = await crypto.subtle.importKey("raw", ikm as BufferSource, "HKDF", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: salt as BufferSource, info: info as BufferSource }, base, 256));
}

describe("HKDF-SHA-256, synchronous (server keys)", () => {
  it("matches RFC 4231's HMAC-SHA-256 cases, a key over the block size included", () => {
    expect(hex(hmacSha256(new Uint8Array(20).fill(0x0b), text("Hi There")))).toBe("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    expect(hex(hmacSha256(new Uint8Array(131).fill(0xaa), text("Test Using Larger Than Block-Size Key - Hash Key First")))).toBe(
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    );
  });

  it("matches RFC 5869 test case 1 (PRK, and the first 32 bytes of the OKM)", () => {
    const prk = hkdfExtract(unhex("000102030405060708090a0b0c"), new Uint8Array(22).fill(0x0b));
    expect(hex(prk)).toBe("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    expect(hex(hkdfExpand32(prk, unhex("f0f1f2f3f4f5f6f7f8f9")))).toBe("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf");
  });

  it("gives WebCrypto's deriveBits(256) for random secrets, salts and infos of many lengths", async () => {
    for (let i = 0; i < 60; i++) {
      const ikm = crypto.getRandomValues(new Uint8Array(1 + ((i * 7) % 130)));
      const salt = crypto.getRandomValues(new Uint8Array((i * 11) % 100));
      const info = crypto.getRandomValues(new Uint8Array((i * 5) % 90));
      expect(hex(hkdfExpand32(hkdfExtract(salt, ikm), info)), `case ${i}`).toBe(hex(await webCryptoHkdf(ikm, salt, info)));
    }
  });

  it("opens session data sealed under the key WebCrypto's deriveKey made (tokens issued before the change)", async () => {
    const secret = "s".repeat(40);
    const sessionId = crypto.randomUUID();
    const oldKey = await hkdfAesKey(text(secret), "tessera/v1", `tessera data-encryption ${sessionId}`);
    const jwe = await new CompactEncrypt(text(JSON.stringify({ plan: "pro" })))
      .setProtectedHeader({ alg: "dir", enc: "A256GCM", typ: "tessera-data", sid: sessionId, kdf: "sid" })
      .encrypt(oldKey);
    const cipher = createDataCipher(secret);
    expect(await cipher.decrypt(sessionId, jwe)).toEqual({ plan: "pro" });
    expect(await cipher.decrypt(crypto.randomUUID(), jwe)).toBeNull();
    expect(await createDataCipher("t".repeat(40)).decrypt(sessionId, jwe)).toBeNull();
  });
});
