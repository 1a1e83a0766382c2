import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateAccessKey, generateSecret, generateSigningKey } from "../../src/server/index.js";
import { dpopKey } from "../../src/index.js";
import { root, runIn, scratchProject } from "../support/tarball.ts";
import { startWorkerd } from "./start-workerd.ts";
import { compatibilityOf, exampleWranglerConfig } from "./wrangler-config.ts";

// The Worker example as a user deploys it: its files copied into a project with the packed
// package and the pinned wrangler, bundled by `wrangler deploy --dry-run`
// (wrangler's own esbuild settings, offline), then run in workerd under exactly the
// compatibility settings of its wrangler.jsonc, with D1, KV, its vars, and the secrets in
// keysFromEnv's format.
const EXAMPLE = join(root, "examples/cloudflare-worker");
// The last wrangler that runs on Node 20 (TOOLCHAIN.md); the example's README pins the same.
const WRANGLER = "4.86.0";
const config = exampleWranglerConfig();
const SECRET_KEY = generateAccessKey("secret");
const SEED = { product: "my-product-tag", env: "snd", tag: "session-tag", data: { userId: "1919102009383", details: { username: "feekayo", email: "fikayo@ductape.app" } } };

function exampleFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const dir of ["src", "migrations"]) {
    for (const name of readdirSync(join(EXAMPLE, dir))) files[`${dir}/${name}`] = readFileSync(join(EXAMPLE, dir, name), "utf8");
  }
  files["wrangler.jsonc"] = readFileSync(join(EXAMPLE, "wrangler.jsonc"), "utf8");
  return files;
}

let mf: Miniflare;
let bundle: string;
beforeAll(async () => {
  // What the example's README has a user install: the package (here the tarball) and wrangler.
  const dir = await scratchProject({ name: "worker", devDependencies: { wrangler: WRANGLER }, files: exampleFiles() });
  await runIn(dir, "npx", ["--no-install", "wrangler", "deploy", "--dry-run", "--outdir", "out"], 120_000);
  const outputs = readdirSync(join(dir, "out")).filter((name) => name.endsWith(".js"));
  expect(outputs).toEqual(["worker.js"]);
  bundle = readFileSync(join(dir, "out/worker.js"), "utf8");
  mf = await startWorkerd({
    // Listed, not walked: Miniflare's module walker refuses the `import(variable)` that the
    // never-called sqliteStore/postgresStore keep; workerd itself loads the file as is.
    modules: [{ type: "ESModule", path: "worker.js", contents: bundle }],
    ...compatibilityOf(config),
    d1Databases: ["DB"],
    kvNamespaces: ["TOKENS"],
    bindings: {
      ...config.vars,
      TESSERA_SIGNING_KEYS: JSON.stringify([await generateSigningKey()]),
      TESSERA_SECRET: generateSecret(),
      TESSERA_SECRET_KEYS: SECRET_KEY,
      TESSERA_PUBLISHABLE_KEYS: generateAccessKey("publishable"),
      TOKENS_SECRET: generateSecret(),
    },
  });
}, 180_000);
afterAll(async () => {
  await mf?.dispose();
});

const origin = () => config.vars!.TESSERA_ISSUER!;
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await mf.dispatchFetch(`${origin()}${path}`, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

describe("the Worker example from the packed package, bundled by wrangler, in workerd", () => {
  it("is bundled from the installed tarball's dist/, with no nodejs_compat in its settings", () => {
    expect(config.compatibility_flags ?? []).not.toContain("nodejs_compat");
    expect(bundle).toContain("node_modules/tessera-sessions/dist/server.js");
  });

  it("answers the seed call with 201", async () => {
    const started = await call("POST", "/v1/sessions/start", SEED, { authorization: `Bearer ${SECRET_KEY}` });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(started.body.token).toMatch(/^session-tag:eyJ/);
  });

  it("serves /api/whoami: offline verification of a session in the env the API checks (TESSERA_ENV)", async () => {
    const env = config.vars!.TESSERA_ENV!;
    const started = await call("POST", "/v1/sessions/start", { ...SEED, env }, { authorization: `Bearer ${SECRET_KEY}` });
    const whoami = await call("GET", "/api/whoami", undefined, { authorization: `Session ${started.body.token}` });
    expect(whoami).toMatchObject({ status: 200, body: { identifier: SEED.data.userId, sessionId: started.body.sessionId } });
    expect((await call("GET", "/api/whoami", undefined, { authorization: "Session session-tag:forged" })).status).toBe(401);
  });

  it("serves /auth/login: a session bound to the page's DPoP key, accepted by /api/whoami only with the page's proof", async () => {
    const key = dpopKey({ database: false });
    const env = config.vars!.TESSERA_ENV!;
    const login = await call("POST", "/auth/login", { userId: "user-9", email: "nine@example.com", jkt: await key.thumbprint() });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const claims = JSON.parse(Buffer.from(login.body.token.split(":")[1].split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ env, cnf: { jkt: await key.thumbprint() } });
    const url = `${origin()}/api/whoami`;
    const authorization = `Session ${login.body.token}`;
    expect((await call("GET", "/api/whoami", undefined, { authorization })).body.error.reason).toBe("dpop");
    const proof = await key.proof("GET", url, login.body.token);
    expect(await call("GET", "/api/whoami", undefined, { authorization, dpop: proof })).toMatchObject({ status: 200, body: { identifier: "user-9" } });
  });

  it("serves /app/*: login, me, refresh, logout", async () => {
    const login = await call("POST", "/app/login", { userId: "user-7", email: "seven@example.com" });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const cookie = /^(tessera_app=[\w-]{43});/.exec(login.headers.get("set-cookie") ?? "")?.[1] ?? "";
    expect(cookie).not.toBe("");
    expect(await call("GET", "/app/me", undefined, { cookie })).toMatchObject({ status: 200, body: { identifier: "user-7", data: { userId: "user-7" } } });
    expect((await call("POST", "/app/refresh", {}, { cookie })).body.sessionId).toBe(login.body.sessionId);
    expect(await call("POST", "/app/logout", {}, { cookie })).toMatchObject({ status: 200, body: { revoked: 1 } });
    expect((await call("GET", "/app/me", undefined, { cookie })).status).toBe(401);
  });
});
