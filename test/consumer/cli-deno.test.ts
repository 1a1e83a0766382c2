import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveFolder } from "../cli/spawn-serve.ts";
import { root, runIn, scratchProject } from "../support/tarball.ts";

// Routes a user takes with nothing but the package installed (one scratch project for all):
// `npx tessera dev`, Deno importing `npm:tessera-sessions/...` offline, and `tessera serve` on
// a SQLite file without better-sqlite3 (node:sqlite, which Deno has and Node 20 has not).

const SEED = { product: "my-product-tag", env: "snd", tag: "session-tag", data: { userId: "1919102009383", details: { username: "feekayo", email: "fikayo@ductape.app" } } };

const DENO_MAIN = `
import { createClient } from "npm:tessera-sessions";
import { memoryStorage } from "npm:tessera-sessions/storage";
import { createSessionServer, denoKvStore, generateAccessKey, generateSecret, generateSigningKey } from "npm:tessera-sessions/server";
import { verifySessionToken } from "npm:tessera-sessions/verify";

const kv = await Deno.openKv(":memory:");
const secretKey = generateAccessKey("secret");
const server = createSessionServer({
  issuer: "http://deno.test", keys: [await generateSigningKey()], secret: generateSecret(), store: denoKvStore(kv),
  products: [{ tag: "my-product-tag", envs: ["snd"], sessions: [{ tag: "session-tag", schema: { userId: "string" }, selector: "$Session{userId}", expiry: 15, period: "mins" }] }],
  accessKeys: { secret: [secretKey] },
});
const client = createClient({ baseUrl: "http://deno.test", accessKey: secretKey, storage: memoryStorage(), fetch: (request) => server.fetch(request) });
const started = await client.sessions.start({ product: "my-product-tag", env: "snd", tag: "session-tag", data: { userId: "u1" } });
const jwks = await (await server.fetch(new Request("http://deno.test/.well-known/jwks.json"))).json();
const verified = await verifySessionToken(started.token, { jwks, issuer: "http://deno.test", product: "my-product-tag", env: "snd", tag: "session-tag" });
console.log(JSON.stringify({ valid: verified.valid, identifier: verified.valid ? verified.identifier : null }));
client.close();
kv.close();
`;

// The binary inside the npm package (TOOLCHAIN.md), run from the scratch project's folder.
const DENO = [`node_modules/@deno/${process.platform}-${process.arch}-glibc/deno`, "node_modules/.bin/deno"]
  .map((p) => join(root, p))
  .find((p) => existsSync(p))!;

let dir: string;
beforeAll(async () => {
  dir = await scratchProject({ name: "tarball-only", files: { "main.ts": DENO_MAIN } });
}, 120_000);

describe("npx tessera dev in a project with only the package installed", () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    // npx does not pass SIGTERM on to the CLI: end the process group this test started.
    if (child?.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
  });

  it("serves the seed call with the printed secret key, and says in one line which store it uses", async () => {
    child = spawn("npx", ["--no-install", "tessera", "dev", "--port", "0"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" }, detached: true });
    let out = "";
    child.stdout!.on("data", (chunk) => (out += chunk));
    child.stderr!.on("data", (chunk) => (out += chunk));
    const deadline = Date.now() + 45_000;
    let url: string | undefined;
    let key: string | undefined;
    while (!(url && key) && Date.now() < deadline && child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      key = /secret key\s+(tsk_[\w-]+)/.exec(out)?.[1];
    }
    expect({ url: Boolean(url), key: Boolean(key) }, out).toEqual({ url: true, key: true });

    const storeLines = out.split("\n").filter((line) => /^\s*store\s/.test(line));
    expect(storeLines, out).toHaveLength(1);
    // No better-sqlite3 here; node:sqlite only where the runtime has it (not Node 20).
    if (isBuiltin("node:sqlite")) expect(storeLines[0]).toMatch(/SQLite \(node:sqlite\)/);
    else expect(storeLines[0]).toMatch(/in memory: .*npm i better-sqlite3/);

    const response = await fetch(`${url}/v1/sessions/start`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(SEED),
    });
    const body = (await response.json()) as { token?: string };
    expect(response.status, JSON.stringify(body)).toBe(201);
    expect(body.token).toMatch(/^session-tag:eyJ/);
  }, 60_000);
});

describe("Deno with npm:tessera-sessions/... imports", () => {
  it("type-checks and runs offline from the project's node_modules: start on Deno KV, verify with the JWKS", async () => {
    const { stdout } = await runIn(dir, DENO, ["run", "--check", "--cached-only", "--unstable-kv", "--no-prompt", "--no-lock", "--allow-env", "--allow-read", "main.ts"]);
    expect(JSON.parse(stdout.trim().split("\n").at(-1)!)).toEqual({ valid: true, identifier: "u1" });
  }, 60_000);
});

describe("tessera serve --store sqlite: without better-sqlite3", () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  it("falls back to node:sqlite (run by Deno), names the driver in one log line, keeps sessions in a 0600 file", async () => {
    const cwd = join(dir, "serve");
    mkdirSync(cwd, { recursive: true });
    const { secretKey, scope } = await serveFolder(cwd);
    const cli = join(dir, "node_modules/tessera-sessions/dist/cli.js");
    child = spawn(DENO, ["run", "-A", "--cached-only", "--no-prompt", "--no-lock", cli, "serve", "--keys", "keys.json", "--store", "sqlite:./sessions.db", "--port", "0"], {
      cwd, env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    });
    let out = "";
    child.stdout!.on("data", (chunk) => (out += chunk));
    child.stderr!.on("data", (chunk) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child!.once("exit", resolve));
    const deadline = Date.now() + 45_000;
    let url: string | undefined;
    while (!url && Date.now() < deadline && child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      url = /"msg":"listening"[^\n]*"url":"([^"]+)"/.exec(out)?.[1];
    }
    expect(url, out).toBeDefined();
    const stores = out.split("\n").filter((line) => line.includes('"msg":"store"'));
    expect(stores.map((line) => JSON.parse(line).store), out).toEqual(["SQLite (node:sqlite), ./sessions.db"]);

    const response = await fetch(`${url}/v1/sessions/start`, {
      method: "POST",
      headers: { authorization: `Bearer ${secretKey}`, "content-type": "application/json" },
      body: JSON.stringify({ ...scope, data: { userId: "u1" } }),
    });
    expect(response.status, await response.clone().text()).toBe(201);
    const listed = await fetch(`${url}/v1/sessions?${new URLSearchParams({ ...scope, limit: "1" })}`, { headers: { authorization: `Bearer ${secretKey}` } });
    expect(((await listed.json()) as { total: number }).total).toBe(1);
    child.kill("SIGTERM");
    expect(await exited, out).toBe(0);
    expect((statSync(join(cwd, "sessions.db")).mode & 0o777).toString(8)).toBe("600");
  }, 60_000);

  it("on a Node without node:sqlite, refuses at start with one line naming both drivers", async () => {
    const cwd = join(dir, "serve-refused");
    mkdirSync(cwd, { recursive: true });
    await serveFolder(cwd);
    const cli = join(dir, "node_modules/tessera-sessions/dist/cli.js");
    // Node 20 has no node:sqlite; a later Node is run without it.
    const without = isBuiltin("node:sqlite") ? ["--no-experimental-sqlite"] : [];
    const failed = await runIn(cwd, process.execPath, [...without, cli, "serve", "--keys", "keys.json", "--store", "sqlite:./other.db", "--port", "0"]).catch((error: Error) => error.message);
    expect(failed).toContain("tessera: --store sqlite: needs better-sqlite3 (npm i better-sqlite3) or a runtime with node:sqlite");
    expect(existsSync(join(cwd, "other.db"))).toBe(false);
  }, 30_000);
});
