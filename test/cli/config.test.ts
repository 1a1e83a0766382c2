import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUILT_IN, loadConfig } from "../../src/cli/config-file.js";
import { CliError } from "../../src/cli/cli-error.js";
import { SEED_CONFIG } from "../../src/cli/seed-config.js";

const examplePath = new URL("../../examples/tessera.config.json", import.meta.url);

function folder(): string {
  return mkdtempSync(join(tmpdir(), "tessera-config-"));
}

function refusal(path: string | undefined, cwd: string): CliError {
  try {
    loadConfig(path, cwd);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(1);
    expect((error as CliError).message).not.toContain("\n");
    return error as CliError;
  }
  throw new Error("expected the config to be refused");
}

describe("examples/tessera.config.json", () => {
  it("is the built-in seed config, so npm start and a bare `tessera dev` behave alike", () => {
    expect(JSON.parse(readFileSync(examplePath, "utf8"))).toEqual(SEED_CONFIG);
  });

  it("defines the seed's product, envs, tag, selector and schema plus a public guest tag", () => {
    const [product] = SEED_CONFIG.products;
    expect(product?.tag).toBe("my-product-tag");
    expect(product?.envs).toEqual(["dev", "snd", "prd"]);
    const main = product?.sessions.find((s) => s.tag === "session-tag");
    expect(main).toMatchObject({ selector: "$Session{userId}", expiry: 15, period: "mins" });
    expect(main?.schema).toEqual({ userId: "string", details: { username: "string?", email: "string" } });
    expect(main).not.toHaveProperty("public");
    expect(product?.sessions.find((s) => s.tag === "guest")?.public).toBe(true);
  });

  it("keeps the quick-start curl's tag unbound (a curl cannot sign DPoP proofs) and has a bound tag for the demo page", () => {
    const [product] = SEED_CONFIG.products;
    expect(product?.sessions.find((s) => s.tag === "session-tag")).not.toHaveProperty("binding");
    expect(product?.sessions.find((s) => s.tag === "web")).toMatchObject({ binding: "dpop", selector: "$Session{userId}", exposeData: true });
  });
});

describe("loadConfig", () => {
  it("falls back to the built-in seed config when there is no tessera.config.json", () => {
    const loaded = loadConfig(undefined, folder());
    expect(loaded.source).toBe(BUILT_IN);
    expect(loaded.config).toEqual(SEED_CONFIG);
    loaded.config.products.pop();
    expect(SEED_CONFIG.products).toHaveLength(1); // a copy, not the constant
  });

  it("prefers ./tessera.config.json in the working directory", () => {
    const dir = folder();
    writeFileSync(join(dir, "tessera.config.json"), JSON.stringify({ products: [{ tag: "p", envs: ["dev"], sessions: [] }] }));
    const loaded = loadConfig(undefined, dir);
    expect(loaded.source).toBe("tessera.config.json");
    expect(loaded.config).toEqual({ issuer: "tessera-dev", products: [{ tag: "p", envs: ["dev"], sessions: [] }] });
  });

  it("reads an explicit --config path relative to the working directory, keeping its issuer", () => {
    const dir = folder();
    writeFileSync(join(dir, "mine.json"), JSON.stringify({ issuer: "https://auth.example", products: [{ tag: "p" }] }));
    expect(loadConfig("mine.json", dir).config.issuer).toBe("https://auth.example");
  });

  it.each([
    ["missing.json", undefined, /^missing\.json: config file not found$/],
    ["bad.json", "{ products: [", /^bad\.json: not valid JSON \(.+\)$/],
    ["array.json", "[]", /^array\.json: expected a JSON object with "products"$/],
    ["empty.json", '{"products": []}', /^empty\.json: "products" must be a non-empty array$/],
    ["typo.json", '{"product": [{}]}', /^typo\.json: unknown field "product"/],
    ["issuer.json", '{"issuer": 3, "products": [{}]}', /^issuer\.json: "issuer" must be a non-empty string$/],
  ])("refuses %s with one line naming the file", (name, text, message) => {
    const dir = folder();
    if (text !== undefined) writeFileSync(join(dir, name), text);
    expect(refusal(name, dir).message).toMatch(message);
  });

  it("says so when --config points at a directory", () => {
    const dir = folder();
    mkdirSync(join(dir, "conf"));
    expect(refusal("conf", dir).message).toMatch(/conf: is a directory/);
  });
});
