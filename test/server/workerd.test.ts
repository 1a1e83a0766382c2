import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateAccessKey, generateSecret } from "../../src/server/index.js";
import { dpopKey } from "../../src/index.js";
import { PRODUCTS, SEED_DATA, SCOPE, testKeys } from "./helpers.js";

// The seed product plus a config bound to a DPoP key (docs/dpop.md).
const WITH_BOUND = [{ ...PRODUCTS[0]!, sessions: [...PRODUCTS[0]!.sessions, { ...PRODUCTS[0]!.sessions[0]!, tag: "bound", binding: "dpop" }] }];

// Smoke test in the real Workers runtime: the whole server bundled as a Worker over D1.
const WORKER = `
import { createSessionServer, d1Store } from "./src/server/index.ts";
let server;
export default {
  fetch(request, env) {
    server ??= createSessionServer({
      issuer: "https://edge.example", keys: JSON.parse(env.KEYS), secret: env.SECRET, store: d1Store(env.DB),
      products: JSON.parse(env.PRODUCTS), accessKeys: { secret: [env.ACCESS_KEY] },
      onError: (e) => console.error(e),
    });
    return server.fetch(request);
  },
};`;

const accessKey = generateAccessKey("secret");
let mf: Miniflare;

beforeAll(async () => {
  const bundle = await build({
    stdin: { contents: WORKER, resolveDir: process.cwd(), loader: "js" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["worker", "browser"],
    write: false,
  });
  mf = new Miniflare({
    modules: true,
    script: bundle.outputFiles[0]!.text,
    compatibilityDate: "2025-01-01",
    d1Databases: ["DB"],
    bindings: { KEYS: JSON.stringify(await testKeys()), SECRET: generateSecret(), PRODUCTS: JSON.stringify(WITH_BOUND), ACCESS_KEY: accessKey },
  });
}, 60_000);
afterAll(async () => {
  await mf?.dispose();
});

describe("tessera/server in workerd with d1Store", () => {
  it("starts, verifies, refreshes and revokes the seed session", async () => {
    const post = async (path: string, body: object) => {
      const response = await mf.dispatchFetch(`http://localhost${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${accessKey}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const started = await post("/v1/sessions/start", { ...SCOPE, data: SEED_DATA });
    expect(started.status).toBe(201);
    expect(started.body.token.startsWith("session-tag:eyJ")).toBe(true);
    const verified = await post("/v1/sessions/verify", { ...SCOPE, token: started.body.token });
    expect(verified.body).toMatchObject({ valid: true, data: SEED_DATA, identifier: SEED_DATA.userId });
    const refreshed = await post("/v1/sessions/refresh", { ...SCOPE, refreshToken: started.body.refreshToken });
    expect(refreshed.status).toBe(200);
    const grace = await post("/v1/sessions/refresh", { ...SCOPE, refreshToken: started.body.refreshToken });
    expect(grace.body.refreshToken).toBe(refreshed.body.refreshToken);
    expect((await post("/v1/sessions/revoke", { ...SCOPE, sessionId: started.body.sessionId })).body).toEqual({ revoked: 1 });
    expect((await post("/v1/sessions/verify", { ...SCOPE, token: refreshed.body.token })).body).toEqual({ valid: false, reason: "revoked" });
  });

  it("binds a session to a DPoP key and refuses its refresh token without a proof (RFC 9449 in workerd)", async () => {
    const key = dpopKey({ database: false });
    const post = async (path: string, body: object, proof?: string) => {
      const response = await mf.dispatchFetch(`http://localhost${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${accessKey}`, "content-type": "application/json", ...(proof ? { dpop: proof } : {}) },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const bound = { ...SCOPE, tag: "bound" };
    const started = await post("/v1/sessions/start", { ...bound, data: SEED_DATA }, await key.proof("POST", "http://localhost/v1/sessions/start"));
    expect(started.status).toBe(201);
    const refreshProof = await key.proof("POST", "http://localhost/v1/sessions/refresh");
    expect((await post("/v1/sessions/refresh", { ...bound, refreshToken: started.body.refreshToken })).body.error.code).toBe("DPOP_REQUIRED");
    expect((await post("/v1/sessions/refresh", { ...bound, refreshToken: started.body.refreshToken }, refreshProof)).status).toBe(200);
    expect((await post("/v1/sessions/refresh", { ...bound, refreshToken: started.body.refreshToken }, refreshProof)).body.error.code).toBe("DPOP_INVALID");
  });
});
