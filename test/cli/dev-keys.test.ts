import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CliError } from "../../src/cli/cli-error.js";
import { looseModeWarning, newDevKeys, readDevKeys, saveDevKeys } from "../../src/cli/dev-keys.js";
import { tempDir } from "./spawn-dev.js";

describe("dev keys", () => {
  it("generates an ES256 signing key, a 32-byte secret and one key of each kind", async () => {
    const keys = await newDevKeys();
    expect(keys.signingKeys).toHaveLength(1);
    expect(keys.signingKeys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256" });
    expect(typeof (keys.signingKeys[0] as { kid?: unknown }).kid).toBe("string");
    expect(keys.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(keys.accessKeys.secret).toMatch(/^tsk_/);
    expect(keys.accessKeys.publishable).toMatch(/^tpk_/);
  });

  it("saves into a new 0700 dir as a 0600 file and reads back the same keys", async () => {
    const dir = join(tempDir(), "nested", ".tessera");
    expect(readDevKeys(dir)).toBeUndefined();
    const keys = await newDevKeys();
    expect(saveDevKeys(dir, keys)).toBe(keys);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "keys.json")).mode & 0o777).toBe(0o600);
    expect(readDevKeys(dir)).toEqual(keys);
    expect(looseModeWarning(dir)).toBeUndefined();
    // No temp file left behind.
    expect(readFileSync(join(dir, "keys.json"), "utf8")).toContain("local development only");
    expect(existsSync(join(dir, `keys.json.${process.pid}.tmp`))).toBe(false);
  });

  it("never overwrites keys already on disk: a second first run gets the first one's keys", async () => {
    const dir = join(tempDir(), ".tessera");
    const first = await newDevKeys();
    saveDevKeys(dir, first);
    const second = saveDevKeys(dir, await newDevKeys());
    expect(second).toEqual(first);
    expect(readDevKeys(dir)).toEqual(first);
  });

  it("warns when keys.json is readable by others", async () => {
    const dir = join(tempDir(), ".tessera");
    saveDevKeys(dir, await newDevKeys());
    chmodSync(join(dir, "keys.json"), 0o644);
    expect(looseModeWarning(dir)).toMatch(/keys\.json is readable by others \(mode 644\); run: chmod 600 /);
  });

  it.each([
    ["not JSON", "{", /keys\.json: not valid JSON; delete it to generate new dev keys/],
    ["a public key only", JSON.stringify({ signingKeys: [{ kty: "EC" }], secret: "s", accessKeys: { secret: "a", publishable: "b" } }), /missing signingKeys, secret or accessKeys/],
    ["no access keys", JSON.stringify({ signingKeys: [{ d: "x" }], secret: "s" }), /missing signingKeys, secret or accessKeys/],
  ])("refuses a keys.json that is %s with one line", (_name, text, message) => {
    const dir = tempDir();
    writeFileSync(join(dir, "keys.json"), text);
    let caught: unknown;
    try {
      readDevKeys(dir);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CliError);
    expect((caught as CliError).message).toMatch(message);
    expect((caught as CliError).message).not.toContain("\n");
  });
});
