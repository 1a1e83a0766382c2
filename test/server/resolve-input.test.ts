import { describe, expect, it } from "vitest";
import { resolveSessionInput } from "../../src/server/index.js";
import { isSessionError } from "../../src/shared/errors.js";

const session = { userId: "1919102009383", age: 42, active: true, details: { username: "feekayo", email: "fikayo@ductape.app", tags: ["a"] } };

describe("resolveSessionInput", () => {
  it("keeps the type of a whole-string placeholder and interpolates inside longer strings", () => {
    const input = {
      user: "$Session{userId}",
      age: "$Session{age}",
      flags: ["$Session{active}", "static", 3, null],
      nested: { email: "$Session{details}{email}", greeting: "Hi $Session{details}{username} ($Session{age})" },
      details: "$Session{details}",
      plain: "no placeholder",
    };
    expect(resolveSessionInput(input, session)).toEqual({
      user: "1919102009383",
      age: 42,
      flags: [true, "static", 3, null],
      nested: { email: "fikayo@ductape.app", greeting: "Hi feekayo (42)" },
      details: session.details,
      plain: "no placeholder",
    });
    expect(input.user).toBe("$Session{userId}"); // the input is not mutated
  });

  it("throws INVALID_ARGUMENT naming the missing path and where it was", () => {
    let caught: unknown;
    try {
      resolveSessionInput({ a: [{ b: "x $Session{details}{phone}" }] }, session);
    } catch (error) {
      caught = error;
    }
    expect(isSessionError(caught)).toBe(true);
    expect(caught).toMatchObject({ code: "INVALID_ARGUMENT", field: "input.a[0].b" });
    expect((caught as Error).message).toContain("$Session{details}{phone}");
    expect(() => resolveSessionInput("$Session{userId}{deeper}", session)).toThrow(/\$Session\{userId\}\{deeper\}/);
  });
});
