import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/server/tokens/sha256.ts";
import { hashRefreshToken, newRefreshToken } from "../../src/server/tokens/refresh-token.ts";
import { encodeBase64url } from "../../src/shared/base64url.ts";

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const subtle = async (bytes: Uint8Array) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));

describe("sha256 (synchronous, for refresh-token hashes)", () => {
  it("matches the FIPS 180-4 examples", () => {
    const text = (s: string) => new TextEncoder().encode(s);
    expect(hex(sha256(text("")))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(hex(sha256(text("abc")))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hex(sha256(text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))).toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  });

  it("equals crypto.subtle.digest at every length across the padding boundaries (0-300 bytes), longest first and last", async () => {
    // Descending then ascending: a short message hashed after a long one must not see its bytes
    // (sha256.ts pads short messages in a reused buffer; over 247 bytes it takes a new one).
    const lengths = Array.from({ length: 301 }, (_, i) => 300 - i);
    for (const length of [...lengths, ...lengths.reverse(), 4_096]) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      expect(hex(sha256(bytes)), `length ${length}`).toBe(hex(await subtle(bytes)));
    }
  });

  it("hashes refresh tokens exactly as the stored hashes were made before (WebCrypto, base64url)", async () => {
    for (let i = 0; i < 20; i++) {
      const token = newRefreshToken("session-tag");
      expect(hashRefreshToken(token)).toBe(encodeBase64url(await subtle(new TextEncoder().encode(token))));
    }
  });
});
