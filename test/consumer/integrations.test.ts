import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { describe, expect, it } from "vitest";
import { generateAccessKey, generateSecret, generateSigningKey } from "../../src/server/index.js";
import { root, runIn, scratchProject } from "../support/tarball.ts";
import { serveFolder, startServe } from "../cli/spawn-serve.js";
import { WORKER_BUILD } from "../runtimes/workers/bundle.ts";

// The integrations as a user gets them: the packed tarball installed in scratch projects, with
// the examples copied in as they are. Workers are bundled inside the scratch project (so every
// import resolves from its node_modules) and run in workerd through the repository's Miniflare.
const example = (path: string) => readFileSync(join(root, "examples", path), "utf8");
const HONO = "4.13.19";
const EXPRESS = "5.3.0";

/** Starts an in-process endpoint on a socket, mints a session, and asks the example app with and without it. */
const probe = (framework: "hono" | "express") => `
import { createServer } from "node:http";
import { nodeListener } from "tessera-sessions/node";
import { createSessionServer, memoryStore, generateSigningKey, generateSecret, generateAccessKey } from "tessera-sessions/server";
import { createApp } from "./app.mjs";
const secretKey = generateAccessKey("secret");
const sessions = createSessionServer({
  issuer: "consumer-test", keys: [await generateSigningKey()], secret: generateSecret(), store: memoryStore(), accessKeys: { secret: [secretKey] },
  products: [{ tag: "my-product-tag", envs: ["snd"], sessions: [{ tag: "session-tag", schema: { userId: "string", details: { email: "string" } }, selector: "$Session{userId}", expiry: 15, period: "mins" }] }],
});
const endpointServer = createServer(nodeListener(sessions.fetch));
await new Promise((r) => endpointServer.listen(0, "127.0.0.1", r));
const endpoint = "http://127.0.0.1:" + endpointServer.address().port;
const started = await (await fetch(endpoint + "/v1/sessions/start", { method: "POST", headers: { authorization: "Bearer " + secretKey, "content-type": "application/json" },
  body: JSON.stringify({ product: "my-product-tag", env: "snd", tag: "session-tag", data: { userId: "u1", details: { email: "u1@example.test" } } }) })).json();
const app = createApp({ endpoint, issuer: "consumer-test", env: "snd", secretKey });
let request, close = () => {};
${
  framework === "hono"
    ? `request = (path, headers) => app.request(path, { headers });`
    : `const listening = app.listen(0, "127.0.0.1"); await new Promise((r) => listening.once("listening", r));
close = () => listening.close();
request = (path, headers) => fetch("http://127.0.0.1:" + listening.address().port + path, { headers });`
}
const auth = { authorization: "Session " + started.token };
const me = await request("/api/me", auth);
const profile = await request("/account/profile", auth);
const none = await request("/api/me", {});
console.log(JSON.stringify({ me: [me.status, (await me.json()).identifier], profile: [profile.status, (await profile.json()).data?.details?.email], none: [none.status, none.headers.get("www-authenticate"), (await none.json()).error.code] }));
close();
endpointServer.close();
`;

const expected = { me: [200, "u1"], profile: [200, "u1@example.test"], none: [401, 'Session realm="tessera"', "UNAUTHORIZED"] };

/** Bundles a Worker inside the scratch project, the way wrangler does. */
async function bundleIn(dir: string, entry: string): Promise<string> {
  const result = await build({ ...WORKER_BUILD, entryPoints: [join(dir, entry)], absWorkingDir: dir });
  return result.outputFiles![0]!.text;
}

describe("the packed integrations in fresh projects", () => {
  it("tessera-sessions/hono in Node (examples/hono), without express installed", async () => {
    const dir = await scratchProject({ name: "hono-node", dependencies: { hono: HONO }, files: { "app.mjs": example("hono/app.mjs"), "main.mjs": probe("hono") } });
    expect(existsSync(join(dir, "node_modules/express"))).toBe(false);
    const { stdout } = await runIn(dir, "node", ["main.mjs"]);
    expect(JSON.parse(stdout.trim())).toEqual(expected);
  }, 180_000);

  it("tessera-sessions/express in Node (examples/express), without hono installed", async () => {
    const dir = await scratchProject({ name: "express-node", dependencies: { express: EXPRESS }, files: { "app.mjs": example("express/app.mjs"), "main.mjs": probe("express") } });
    expect(existsSync(join(dir, "node_modules/hono"))).toBe(false);
    const { stdout } = await runIn(dir, "node", ["main.mjs"]);
    expect(JSON.parse(stdout.trim())).toEqual(expected);
  }, 180_000);

  it("tessera-sessions/hono in workerd, and the two service-bound Workers (tessera-sessions/worker)", async () => {
    const dir = await scratchProject({
      name: "workers",
      dependencies: { hono: HONO },
      files: {
        "hono/app.mjs": example("hono/app.mjs"),
        "hono/worker.mjs": example("hono/worker.mjs"),
        "sessions/worker.ts": example("worker-service-binding/sessions/src/worker.ts"),
        "app/worker.ts": example("worker-service-binding/app/src/worker.ts"),
      },
    });
    const [honoScript, sessionsScript, appScript] = await Promise.all(["hono/worker.mjs", "sessions/worker.ts", "app/worker.ts"].map((entry) => bundleIn(dir, entry)));
    const mf = new Miniflare({
      workers: [
        {
          name: "app",
          modules: true,
          script: appScript!,
          compatibilityDate: "2025-01-01",
          bindings: { TESSERA_ENV: "snd" },
          serviceBindings: { SESSIONS: { name: "sessions", entrypoint: "Sessions" } },
        },
        {
          name: "sessions",
          modules: true,
          script: sessionsScript!,
          compatibilityDate: "2025-01-01",
          d1Databases: ["DB"],
          bindings: {
            TESSERA_ISSUER: "https://sessions.internal",
            TESSERA_SIGNING_KEYS: JSON.stringify([await generateSigningKey()]),
            TESSERA_SECRET: generateSecret(),
            TESSERA_SECRET_KEYS: generateAccessKey("secret"),
          },
        },
        {
          name: "hono",
          modules: true,
          script: honoScript!,
          compatibilityDate: "2025-01-01",
          bindings: { TESSERA_ENDPOINT: "https://sessions.internal", TESSERA_ISSUER: "https://sessions.internal", TESSERA_ENV: "snd" },
          // The Hono Worker's JWKS fetch goes to the sessions Worker's keys, through the app's /jwks route.
          outboundService: "app",
        },
      ],
    });
    try {
      const post = (path: string, body: unknown) =>
        mf.dispatchFetch(`http://app.test${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const started = (await (await post("/login", { userId: "u7", email: "u7@example.test" })).json()) as { token: string; sessionId: string };
      expect(started.token).toMatch(/^session-tag:/);
      const me = (await (await mf.dispatchFetch("http://app.test/me", { headers: { authorization: `Session ${started.token}` } })).json()) as { valid: boolean; data: unknown };
      expect(me).toMatchObject({ valid: true, data: { userId: "u7" } });

      // Hono in workerd, offline against the sessions Worker's JWKS.
      const hono = await mf.getWorker("hono");
      const ok = await hono.fetch("http://hono.test/api/me", { headers: { authorization: `Session ${started.token}` } });
      expect([ok.status, ((await ok.json()) as { identifier: string }).identifier]).toEqual([200, "u7"]);
      const refused = await hono.fetch("http://hono.test/api/me");
      expect([refused.status, refused.headers.get("www-authenticate")]).toEqual([401, 'Session realm="tessera"']);
    } finally {
      await mf.dispose();
    }
  }, 180_000);

  it("tessera serve from the installed bin: serves, and stops with exit 0 on SIGTERM", async () => {
    const dir = await scratchProject({ name: "serve" });
    const { secretKey, scope } = await serveFolder(dir);
    const server = await startServe(["--keys", "keys.json", "--store", "memory:", "--port", "0"], dir, {}, join(dir, "node_modules/.bin/tessera"));
    try {
      const started = await fetch(`${server.url}/v1/sessions/start`, {
        method: "POST",
        headers: { authorization: `Bearer ${secretKey}`, "content-type": "application/json" },
        body: JSON.stringify({ ...scope, data: { userId: "u1" } }),
      });
      expect(started.status).toBe(201);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      server.child.kill("SIGTERM");
    }
    expect(await server.exited).toBe(0);
  }, 180_000);
});
