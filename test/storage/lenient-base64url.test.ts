import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64url, encodeBase64url } from "../../src/shared/base64url.js";
import { fromBase64url, toBase64url } from "../../src/storage/lenient-base64url.js";

// The client's small codec (encrypted records, a JWT's iat) must write exactly what the
// server's strict codec writes, and read back every canonical text, so records stay readable
// whichever of the two produced them.
describe("lenient base64url", () => {
  it("encodes as the strict codec does and round-trips any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = toBase64url(bytes);
        expect(text).toBe(encodeBase64url(bytes));
        expect(fromBase64url(text)).toEqual(new Uint8Array(bytes));
        expect(fromBase64url(text)).toEqual(decodeBase64url(text));
      }),
      { numRuns: 300 },
    );
  });

  it("handles a record larger than the engine's argument limit", () => {
    const bytes = crypto.getRandomValues(new Uint8Array(65_536)).map((b, i) => b ^ i);
    const big = new Uint8Array(300_000).map((_, i) => bytes[i % bytes.length]!);
    expect(fromBase64url(toBase64url(big))).toEqual(big);
  });

  it("throws on text that is not base64 at all (the caller reads that as a bad record)", () => {
    expect(() => fromBase64url("a$b")).toThrow();
    expect(() => fromBase64url("abcde")).toThrow();
  });
});
