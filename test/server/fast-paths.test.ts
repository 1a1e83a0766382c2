import { describe, expect, it } from "vitest";
import { timingSafeEqualText } from "../../src/server/tokens/primitives.js";
import { randomBytes } from "../../src/server/tokens/random-pool.js";
import { harness, PUBLISHABLE_KEY, SCOPE, SECRET_KEY } from "./helpers.js";

// The issue 5 fast paths: same answers as the slower code they replaced.
describe("timingSafeEqualText (access keys)", () => {
  const key = "tsk_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
  it("is true only for the identical string", () => {
    expect(timingSafeEqualText(key, key)).toBe(true);
    expect(timingSafeEqualText(`${key}`.slice(0), key)).toBe(true);
    expect(timingSafeEqualText(key.slice(0, -1), key)).toBe(false); // a prefix
    expect(timingSafeEqualText(`${key}x`, key)).toBe(false); // longer
    expect(timingSafeEqualText(`${key.slice(0, -1)}H`, key)).toBe(false); // last character
    expect(timingSafeEqualText(`X${key.slice(1)}`, key)).toBe(false); // first character
    expect(timingSafeEqualText("", key)).toBe(false);
    // A presented string whose extra characters are NUL must not pass as the shorter key.
    expect(timingSafeEqualText(`${key}\u0000`, key)).toBe(false);
  });

  it("identifies secret and publishable keys and refuses others with 401", async () => {
    const h = await harness();
    expect((await h.post("/v1/sessions/start", { ...SCOPE, data: { userId: "u1", details: { email: "a@b.c" } } })).status).toBe(201);
    const publishable = await h.post("/v1/sessions/start", { ...SCOPE, data: { userId: "u1", details: { email: "a@b.c" } } }, { key: PUBLISHABLE_KEY });
    expect(publishable.body.error.code).toBe("FORBIDDEN");
    const lastCharacterChanged = SECRET_KEY.slice(0, -1) + (SECRET_KEY.endsWith("A") ? "B" : "A");
    const wrong = await h.post("/v1/sessions/start", { ...SCOPE, data: {} }, { key: lastCharacterChanged });
    expect(wrong.status).toBe(401);
  });
});

describe("randomBytes (pooled getRandomValues)", () => {
  it("returns fresh, independent slices of the requested length", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const bytes = randomBytes(16);
      expect(bytes).toHaveLength(16);
      seen.add(Buffer.from(bytes).toString("hex"));
    }
    expect(seen.size).toBe(2_000); // never the same bytes twice, across pool refills (2,000 × 16 B > 4 KiB)
    const a = randomBytes(32);
    const copy = Uint8Array.from(a);
    randomBytes(32);
    expect(a).toEqual(copy); // a returned slice is not overwritten by later draws
    expect(randomBytes(5_000)).toHaveLength(5_000); // larger than the pool: drawn directly
  });
});
