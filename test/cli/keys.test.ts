import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { decodeProtectedHeader } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { parseCli } from "../../src/cli/args.js";
import { CliError } from "../../src/cli/cli-error.js";
import { formatSecrets, parseSecrets, type KeysFormat } from "../../src/cli/keys/env-file.js";
import { runKeys, type KeysOptions } from "../../src/cli/keys/run-keys.js";
import { createSessionServer, keysFromEnv, memoryStore, type ProductInput } from "../../src/server/index.js";
import { ensureBuilt, runCli, tempDir } from "./spawn-dev.js";

const products: ProductInput[] = [
  { tag: "p", envs: ["e"], sessions: [{ tag: "t", schema: { id: "string" }, selector: "$Session{id}", expiry: 15, period: "mins" }] },
];

/** runKeys in-process: stdout (the secrets) and stderr (the note) apart. */
async function keys(options: Partial<KeysOptions>): Promise<{ out: string; err: string }> {
  let out = "";
  let err = "";
  await runKeys({ action: "new", format: "json", alg: undefined, input: undefined, ...options }, {
    out: (line) => (out += `${line}\n`),
    err: (line) => (err += `${line}\n`),
  });
  return { out, err };
}

const serverFrom = (env: Record<string, string>) => createSessionServer({ issuer: "http://sessions.test", store: memoryStore(), products, ...keysFromEnv(env) });

async function call(server: ReturnType<typeof serverFrom>, path: string, key: string, body: unknown) {
  const response = await server.fetch(
    new Request(`http://sessions.test${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) }),
  );
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

const kidOf = (token: string) => decodeProtectedHeader(token.slice(token.indexOf(":") + 1)).kid;

describe("tessera keys", () => {
  it("prints the four TESSERA_* variables as JSON that keysFromEnv reads and a server runs on", async () => {
    const { out, err } = await keys({});
    const env = JSON.parse(out) as Record<string, string>;
    expect(Object.keys(env)).toEqual(["TESSERA_SIGNING_KEYS", "TESSERA_SECRET", "TESSERA_SECRET_KEYS", "TESSERA_PUBLISHABLE_KEYS"]);
    const [jwk] = JSON.parse(env.TESSERA_SIGNING_KEYS!);
    expect(jwk).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig", kid: expect.any(String), d: expect.any(String) });
    expect(env.TESSERA_SECRET_KEYS).toMatch(/^tsk_/);
    expect(env.TESSERA_PUBLISHABLE_KEYS).toMatch(/^tpk_/);
    // The note on stderr names the kid; no secret goes there.
    expect(err).toBe(`tessera keys: signing key ${jwk.kid}\n`);
    const server = serverFrom(env);
    const started = await call(server, "/v1/sessions/start", env.TESSERA_SECRET_KEYS!, { product: "p", env: "e", tag: "t", data: { id: "u1" } });
    expect(started.status).toBe(201);
    expect(kidOf(started.json.token)).toBe(jwk.kid);
    const verified = await call(server, "/v1/sessions/verify", env.TESSERA_PUBLISHABLE_KEYS!, { product: "p", env: "e", tag: "t", token: started.json.token });
    expect(verified.json).toMatchObject({ valid: true, identifier: "u1" });
  });

  it("--alg EdDSA makes an Ed25519 signing key", async () => {
    const env = JSON.parse((await keys({ alg: "EdDSA" })).out);
    expect(JSON.parse(env.TESSERA_SIGNING_KEYS)[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA" });
    expect(() => serverFrom(env)).not.toThrow();
  });

  it.each(["env", "dev-vars"] as const)("--format %s writes single-quoted dotenv lines that dotenv, Node and sh read back exactly", async (format) => {
    const json = JSON.parse((await keys({})).out) as Record<string, string>;
    const text = formatSecrets(json as never, format);
    const lines = text.split("\n").filter((l) => l && !l.startsWith("#"));
    expect(lines.map((l) => l.split("=")[0])).toEqual(Object.keys(json));
    for (const line of lines) expect(line).toMatch(/^TESSERA_[A-Z_]+='[^'\n]+'$/);
    // Three independent readers: ours, Node's (the --env-file parser) and a POSIX shell.
    expect(parseSecrets(text, "x")).toEqual(json);
    expect(parseEnv(text)).toEqual(json);
    const dir = tempDir("tessera-keys-");
    writeFileSync(join(dir, "secrets"), text);
    const fromShell = execFileSync("sh", ["-c", `set -a; . ./secrets; exec "${process.execPath}" -e 'console.log(JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("TESSERA_")))))'`], {
      cwd: dir,
      encoding: "utf8",
      env: { PATH: process.env.PATH },
    });
    expect(JSON.parse(fromShell)).toEqual(json);
    expect(keysFromEnv(parseEnv(text)).keys).toEqual(JSON.parse(json.TESSERA_SIGNING_KEYS!));
  });

  it("keys rotate: a new kid first, the old kids kept, the other secrets unchanged; old tokens still verify", async () => {
    const before = JSON.parse((await keys({})).out) as Record<string, string>;
    const oldKid = JSON.parse(before.TESSERA_SIGNING_KEYS!)[0].kid;
    const oldServer = serverFrom(before);
    const old = await call(oldServer, "/v1/sessions/start", before.TESSERA_SECRET_KEYS!, { product: "p", env: "e", tag: "t", data: { id: "u1" } });
    expect(kidOf(old.json.token)).toBe(oldKid);

    // The input may be any of the three formats.
    for (const format of ["json", "env", "dev-vars"] as KeysFormat[]) {
      const dir = tempDir("tessera-keys-");
      const file = join(dir, "in");
      writeFileSync(file, formatSecrets(before as never, format));
      const { out, err } = await keys({ action: "rotate", input: file, format: "env" });
      const after = parseEnv(out) as Record<string, string>;
      const kids = JSON.parse(after.TESSERA_SIGNING_KEYS!).map((k: { kid: string }) => k.kid);
      expect(kids).toHaveLength(2);
      expect(kids[1]).toBe(oldKid);
      expect(kids[0]).not.toBe(oldKid);
      expect(err).toBe(`tessera keys: signing key ${kids[0]}; still verifying ${oldKid}\n`);
      for (const name of ["TESSERA_SECRET", "TESSERA_SECRET_KEYS", "TESSERA_PUBLISHABLE_KEYS"]) expect(after[name]).toBe(before[name]);

      // After the deploy: new tokens carry the new kid, the token signed before verifies and refreshes.
      const server = serverFrom(after);
      const fresh = await call(server, "/v1/sessions/start", after.TESSERA_SECRET_KEYS!, { product: "p", env: "e", tag: "t", data: { id: "u2" } });
      expect(kidOf(fresh.json.token)).toBe(kids[0]);
      // The rotated server shares no store with the old one: verify offline-style against its JWKS by asking it.
      const jwks = (await (await server.fetch(new Request("http://sessions.test/.well-known/jwks.json"))).json()) as { keys: { kid: string; d?: string }[] };
      expect(jwks.keys.map((k) => k.kid)).toEqual(kids);
      expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
    }
  });

  it("tokens signed before a rotation verify after it, on the same store", async () => {
    const before = JSON.parse((await keys({})).out) as Record<string, string>;
    const store = memoryStore();
    const make = (env: Record<string, string>) => createSessionServer({ issuer: "http://sessions.test", store, products, ...keysFromEnv(env) });
    const first = make(before);
    const old = await call(first, "/v1/sessions/start", before.TESSERA_SECRET_KEYS!, { product: "p", env: "e", tag: "t", data: { id: "u1" } });
    const dir = tempDir("tessera-keys-");
    writeFileSync(join(dir, "in.json"), JSON.stringify(before));
    const rotated = JSON.parse((await keys({ action: "rotate", input: join(dir, "in.json") })).out) as Record<string, string>;
    const second = make(rotated);
    const verified = await call(second, "/v1/sessions/verify", rotated.TESSERA_SECRET_KEYS!, { product: "p", env: "e", tag: "t", token: old.json.token });
    expect(verified.json).toMatchObject({ valid: true, identifier: "u1" });
    // A refresh re-signs with the new key: what the old key signed lives at most one session expiry.
    const refreshed = await call(second, "/v1/sessions/refresh", rotated.TESSERA_SECRET_KEYS!, { product: "p", env: "e", tag: "t", refreshToken: old.json.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(kidOf(refreshed.json.token)).toBe(JSON.parse(rotated.TESSERA_SIGNING_KEYS!)[0].kid);

    // keys prune: only the newest key; the old token no longer verifies.
    writeFileSync(join(dir, "rotated.json"), JSON.stringify(rotated));
    const pruned = JSON.parse((await keys({ action: "prune", input: join(dir, "rotated.json") })).out) as Record<string, string>;
    expect(JSON.parse(pruned.TESSERA_SIGNING_KEYS!)).toEqual([JSON.parse(rotated.TESSERA_SIGNING_KEYS!)[0]]);
    const third = make(pruned);
    const stale = await call(third, "/v1/sessions/verify", pruned.TESSERA_SECRET_KEYS!, { product: "p", env: "e", tag: "t", token: old.json.token });
    expect(stale.json).toMatchObject({ valid: false });
  });

  it("rotate refuses an input it cannot use, naming the file and the variable, never a value", async () => {
    const dir = tempDir("tessera-keys-");
    const secret = "tsk_do_not_print_me_0123456789";
    writeFileSync(join(dir, "bad.env"), `TESSERA_SIGNING_KEYS='[{"kty":"EC"}]'\nTESSERA_SECRET=abc\nTESSERA_SECRET_KEYS=${secret}\n`);
    const error = await keys({ action: "rotate", input: join(dir, "bad.env") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toMatch(/bad\.env: TESSERA_SIGNING_KEYS\[0\]\.kid/);
    expect((error as Error).message).not.toContain(secret);
    writeFileSync(join(dir, "missing.env"), `TESSERA_SECRET=abc\n`);
    await expect(keys({ action: "rotate", input: join(dir, "missing.env") })).rejects.toThrow(/missing\.env: TESSERA_SIGNING_KEYS: is not set/);
    await expect(keys({ action: "rotate", input: join(dir, "nope") })).rejects.toThrow(/cannot read .*nope/);
  });

  it.each([
    [["keys", "--format", "yaml"], /^--format must be json, env, dev-vars/],
    [["keys", "--alg", "RS256"], /^--alg must be ES256 or EdDSA/],
    [["keys", "rotate"], /needs --in <file>/],
    [["keys", "--in", "x"], /--in goes with tessera keys rotate or prune/],
    [["keys", "spin"], /unknown keys action "spin"/],
    [["keys", "--port", "1"], /option --port is not for tessera keys/],
    [["dev", "--format", "env"], /option --format is not for tessera dev/],
  ])("usage: %j", (argv, message) => {
    let caught: unknown;
    try {
      parseCli(argv as string[]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CliError);
    expect((caught as CliError).exitCode).toBe(2);
    expect((caught as CliError).message).toMatch(message);
  });

  describe("the built program", () => {
    beforeAll(() => ensureBuilt(), 120_000);

    it("tessera keys --format dev-vars, then keys rotate --in that file", async () => {
      const dir = tempDir("tessera-keys-");
      const first = await runCli(["keys", "--format", "dev-vars"], dir);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^# \.dev\.vars for `wrangler dev`/);
      writeFileSync(join(dir, ".dev.vars"), first.stdout);
      const second = await runCli(["keys", "rotate", "--in", ".dev.vars", "--alg", "EdDSA"], dir);
      expect(second.code).toBe(0);
      const rotated = JSON.parse(second.stdout);
      const kids = JSON.parse(rotated.TESSERA_SIGNING_KEYS).map((k: { kid: string; alg: string }) => `${k.alg}:${k.kid}`);
      expect(kids).toHaveLength(2);
      expect(kids[0]).toMatch(/^EdDSA:/);
      expect(kids[1]).toBe(`ES256:${JSON.parse(parseEnv(first.stdout).TESSERA_SIGNING_KEYS!)[0].kid}`);
      expect(second.stderr).toMatch(/^tessera keys: signing key \S+; still verifying \S+\n$/);
    });
  });
});
