import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The examples import "tessera-sessions" (the package's own name): they run against the built dist/.
import { runNodeClient, startExampleServer, type ExampleServer } from "./examples.ts";
import { createClient, isSessionError } from "tessera-sessions";
import { serveNode, type NodeServer } from "../../../src/node/index.ts";
import { createSessionServer, generateAccessKey, generateSecret, memoryStore } from "../../../src/server/index.ts";
import { testKeys } from "../../server/helpers.ts";

// examples/node against the real endpoint (createSessionServer + serveNode on loopback).
const root = resolve(import.meta.dirname, "../../..");
const config = JSON.parse(readFileSync(resolve(root, "examples/tessera.config.json"), "utf8"));
const SECRET = generateAccessKey("secret");
const PUBLISHABLE = generateAccessKey("publishable");
const SCOPE = { product: "my-product-tag", env: "snd", tag: "session-tag" };

let endpoint: NodeServer;
let app: ExampleServer;
beforeAll(async () => {
  const server = createSessionServer({
    issuer: "http://127.0.0.1", keys: await testKeys(), secret: generateSecret(), store: memoryStore(),
    products: config.products, accessKeys: { secret: [SECRET], publishable: [PUBLISHABLE] },
  });
  endpoint = await serveNode(server.fetch);
  app = await startExampleServer({ endpoint: endpoint.url, secretKey: SECRET, publishableKey: PUBLISHABLE, ...SCOPE, port: 0 });
});
afterAll(async () => {
  await app?.close();
  await endpoint?.close();
});

describe("examples/node", () => {
  it("logs in through the app backend, then refreshes, verifies, calls the app's API and ends", async () => {
    const lines: string[] = [];
    const run = await runNodeClient({ appUrl: app.url, endpoint: endpoint.url, username: "feekayo", password: "demo", log: (l: string) => lines.push(l) });
    expect(run.started.token).toMatch(/^session-tag:eyJ/);
    expect(run.me).toEqual({ userId: "1919102009383", sessionId: run.started.sessionId, details: { username: "feekayo", email: "fikayo@ductape.app" } });
    expect(run.refreshed.token).not.toBe(run.started.token);
    expect(run.refreshed.refreshToken).not.toBe(run.started.refreshToken);
    expect(run.verified).toMatchObject({ valid: true, identifier: "1919102009383", sessionId: run.started.sessionId });
    expect(run.ended).toEqual({ revoked: 1 });
    expect(run.statusAfterEnd).toBe(401);
    expect(run.changes).toEqual(["started", "refreshed", "ended"]);
    expect(run.stored).toBeNull();
    expect(lines).toHaveLength(6);
    // Nothing the client printed holds a token or refresh token.
    for (const secret of [run.started.token, run.started.refreshToken, run.refreshed.refreshToken]) expect(lines.join("\n")).not.toContain(secret.split(":")[1]);
  });

  it("refuses a wrong password at the app, and a publishable key starting a session on its own", async () => {
    await expect(runNodeClient({ appUrl: app.url, username: "feekayo", password: "nope", log: () => {} }))
      .rejects.toMatchObject({ code: "UNAUTHORIZED", status: 401 });
    const direct = createClient({ baseUrl: endpoint.url, accessKey: PUBLISHABLE, product: SCOPE.product, env: SCOPE.env });
    const error = await direct.sessions.start({ tag: "session-tag", data: { userId: "x", details: { email: "x@y" } } }).catch((e) => e);
    expect(isSessionError(error) && error.code).toBe("FORBIDDEN");
    direct.close();
  });

  it("hands pages the publishable key only", async () => {
    const text = await (await fetch(`${app.url}/app/config`)).text();
    expect(JSON.parse(text)).toEqual({ publishableKey: PUBLISHABLE, ...SCOPE });
    expect(text).not.toContain(SECRET);
  });

  it("runs as plain `node` processes: server.mjs and client.mjs from the README", async () => {
    const env = { ...process.env, TESSERA_URL: endpoint.url, TESSERA_SECRET_KEY: SECRET, TESSERA_PUBLISHABLE_KEY: PUBLISHABLE, PORT: "0" };
    const server = spawn(process.execPath, ["examples/node/server.mjs"], { cwd: root, env });
    try {
      const url = await new Promise<string>((done, fail) => {
        let out = "";
        server.stdout.on("data", (chunk) => {
          out += chunk;
          const match = /example app on (http:\/\/\S+)/.exec(out);
          if (match) done(match[1]!);
        });
        server.once("exit", (code) => fail(new Error(`server.mjs exited ${code}`)));
      });
      const client = spawn(process.execPath, ["examples/node/client.mjs"], { cwd: root, env: { ...env, APP_URL: url } });
      let out = "";
      client.stdout.on("data", (chunk) => (out += chunk));
      const code = await new Promise((done) => client.once("exit", done));
      expect(code).toBe(0);
      expect(out).toMatch(/started\s+session/);
      expect(out).toMatch(/refreshed new token and refresh token \(rotated\)/);
      expect(out).toMatch(/verified\s+valid=true identifier=1919102009383/);
      expect(out).toMatch(/ended\s+revoked=1/);
      expect(out).toMatch(/after end: 401/);
    } finally {
      server.kill();
    }
  });
});
