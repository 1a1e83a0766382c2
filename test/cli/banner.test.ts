import { describe, expect, it } from "vitest";
import { formatBanner, seedCall } from "../../src/cli/banner.js";
import { SEED_CONFIG } from "../../src/cli/seed-config.js";

const keys = { secret: "tsk_secretsecret", publishable: "tpk_publishable" };

describe("formatBanner", () => {
  const text = formatBanner({
    url: "http://127.0.0.1:8787",
    configSource: "examples/tessera.config.json",
    dataDir: ".tessera",
    keysCreated: true,
    accessKeys: keys,
    config: SEED_CONFIG,
  });

  it("starts with the URL and prints both dev keys", () => {
    expect(text.split("\n")[0]).toBe("tessera dev listening on http://127.0.0.1:8787");
    expect(text).toMatch(/secret key\s+tsk_secretsecret/);
    expect(text).toMatch(/publishable key\s+tpk_publishable/);
    expect(text).toContain("new dev keys generated");
    expect(text).toMatch(/console\s+http:\/\/127\.0\.0\.1:8787\/console/);
  });

  it("prints the seed page's call as a curl line with the secret key", () => {
    const curl = text.split("\n").find((line) => line.trim().startsWith("curl "));
    expect(curl).toBeDefined();
    expect(curl).toContain("http://127.0.0.1:8787/v1/sessions/start");
    expect(curl).toContain("'Authorization: Bearer tsk_secretsecret'");
    const body = /-d '(.*)'$/.exec(curl!)?.[1];
    expect(JSON.parse(body!)).toEqual({
      product: "my-product-tag",
      env: "snd",
      tag: "session-tag",
      data: { userId: "1919102009383", details: { username: "feekayo", email: "fikayo@ductape.app" } },
    });
  });
});

describe("formatBanner's store line", () => {
  const base = { url: "http://h:1", configSource: "c", dataDir: ".tessera", keysCreated: false, accessKeys: keys, config: SEED_CONFIG };
  it("names the SQLite driver and file, or says sessions are in memory and how to keep them", () => {
    const sqlite = formatBanner({ ...base, store: { line: "SQLite (better-sqlite3), .tessera/sessions.db", file: true } });
    expect(sqlite).toMatch(/^ {2}store +SQLite \(better-sqlite3\), \.tessera\/sessions\.db$/m);
    expect(sqlite).toContain(".tessera/ (keys.json, sessions.db)");
    const memory = formatBanner({ ...base, store: { line: "in memory: npm i better-sqlite3", file: false } });
    expect(memory.split("\n").filter((l) => l.includes("memory"))).toEqual(["  store            in memory: npm i better-sqlite3"]);
    expect(memory).toContain(".tessera/ (keys.json)");
  });
});

describe("seedCall", () => {
  it("skips a bound tag (binding: dpop): a curl cannot sign the proof it would need", () => {
    const session = { schema: { id: "string" } };
    const products = (sessions: object[]) => [{ tag: "shop", envs: ["prd"], sessions }];
    expect(seedCall({ issuer: "x", products: products([{ ...session, tag: "web", binding: "dpop" }, { ...session, tag: "api" }]) })?.tag).toBe("api");
    expect(seedCall({ issuer: "x", products: products([{ ...session, tag: "web", binding: "dpop" }]) })?.tag).toBe("web");
  });

  it("builds sample data from another config's type map, skipping public tags", () => {
    const call = seedCall({
      issuer: "x",
      products: [
        {
          tag: "shop",
          envs: ["prd"],
          sessions: [
            { tag: "visitor", public: true, schema: { id: "string" } },
            { tag: "buyer", schema: { id: "string", age: "number?", vip: "boolean", address: { city: "string" } } },
          ],
        },
      ],
    });
    expect(call).toEqual({
      product: "shop",
      env: "prd",
      tag: "buyer",
      data: { id: "example-id", age: 1, vip: true, address: { city: "example-city" } },
    });
  });

  it("prints no curl line when the first tag's schema is a validator, not a type map", () => {
    const config = { issuer: "x", products: [{ tag: "p", envs: ["dev"], sessions: [{ tag: "t", schema: { "~standard": {} } }] }] };
    expect(seedCall(config)).toBeUndefined();
    expect(formatBanner({ url: "http://h:1", configSource: "c", dataDir: "d", keysCreated: false, accessKeys: keys, config })).not.toContain("curl");
  });
});
