import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64url, encodeBase64url } from "../../src/shared/base64url.js";

// The encoder is table-driven (src/shared/base64url.ts); Node's Buffer is an independent oracle.
describe("encodeBase64url", () => {
  it("writes what Buffer writes at every length across the 3-byte groups (0-300 bytes)", () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      expect(encodeBase64url(bytes), `length ${length}`).toBe(Buffer.from(bytes).toString("base64url"));
    }
  });

  it("round-trips any bytes through the strict decoder, views into larger buffers included", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(8), (bytes, skip) => {
        const view = new Uint8Array(bytes.length + skip).subarray(skip);
        view.set(bytes);
        const text = encodeBase64url(view);
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(decodeBase64url(text)).toEqual(new Uint8Array(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it("encodes 1 MB (larger than an engine's argument limit)", () => {
    const bytes = new Uint8Array(1 << 20).map((_, i) => (i * 31) & 255);
    expect(encodeBase64url(bytes)).toBe(Buffer.from(bytes).toString("base64url"));
  });
});
