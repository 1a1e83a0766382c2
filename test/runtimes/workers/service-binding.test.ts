import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateAccessKey, generateSecret, generateSigningKey } from "../../../src/server/index.js";
import { bundleWorker } from "./bundle.js";

// examples/worker-service-binding in workerd: the sessions Worker (tessera-sessions/worker over
// D1) and the app Worker bound to its `Sessions` entrypoint as env.SESSIONS, calling it by RPC.
const SECRET_KEY = generateAccessKey("secret");
let mf: Miniflare;
let sessionsScript: string;

beforeAll(async () => {
  sessionsScript = await bundleWorker("examples/worker-service-binding/sessions/src/worker.ts");
  mf = new Miniflare({
    workers: [
      {
        name: "app",
        modules: true,
        script: await bundleWorker("examples/worker-service-binding/app/src/worker.ts"),
        compatibilityDate: "2025-01-01",
        bindings: { TESSERA_ENV: "snd" },
        serviceBindings: { SESSIONS: { name: "sessions", entrypoint: "Sessions" } },
      },
      {
        name: "sessions",
        modules: true,
        script: sessionsScript,
        compatibilityDate: "2025-01-01",
        d1Databases: ["DB"],
        bindings: {
          TESSERA_ISSUER: "https://sessions.internal",
          TESSERA_SIGNING_KEYS: JSON.stringify([await generateSigningKey("ES256")]),
          TESSERA_SECRET: generateSecret(),
          TESSERA_SECRET_KEYS: SECRET_KEY,
        },
      },
    ],
  });
}, 60_000);
afterAll(async () => {
  await mf?.dispose();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await mf.dispatchFetch(`http://app.test${path}`, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as any };
}
const DATA = { userId: "u-42", email: "u42@example.test" };

describe("two Workers over a service binding (tessera-sessions/worker)", () => {
  it("refuses a missing options function with a typed INVALID_CONFIG, not a TypeError", async () => {
    const misuse = new Miniflare({ modules: true, script: await bundleWorker("test/runtimes/workers/fixtures/entrypoint-misuse.ts"), compatibilityDate: "2025-01-01" });
    try {
      const answer = (await (await misuse.dispatchFetch("http://misuse.test/")).json()) as Record<string, unknown>;
      expect(answer).toMatchObject({ thrown: "SessionError", sessionError: true, code: "INVALID_CONFIG", status: 500 });
      expect(answer.message).toContain("createSessionsEntrypoint");
    } finally {
      await misuse.dispose();
    }
  });

  it("bundles the entrypoint with cloudflare:workers left to workerd and no Node built-ins", () => {
    expect(sessionsScript).toMatch(/from\s*["']cloudflare:workers["']/);
    expect(sessionsScript).not.toMatch(/["'](node:[a-z_/]+|better-sqlite3|pg)["']/);
  });

  it("starts, verifies, refreshes and revokes by RPC, without an access key in the app Worker", async () => {
    const started = await call("POST", "/login", DATA);
    expect(started.status).toBe(201);
    expect(started.body.token).toMatch(/^session-tag:eyJ/);
    const me = await call("GET", "/me", undefined, { authorization: `Session ${started.body.token}` });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ valid: true, identifier: "u-42", sessionId: started.body.sessionId, data: { userId: "u-42", details: { email: DATA.email } } });

    const refreshed = await call("POST", "/refresh", { refreshToken: started.body.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).not.toBe(started.body.refreshToken);

    expect((await call("POST", "/logout", { sessionId: started.body.sessionId })).body).toEqual({ revoked: 1 });
    const after = await call("GET", "/me", undefined, { authorization: `Session ${refreshed.body.token}` });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toContain("revoked");
  });

  it("carries the endpoint's error codes across the binding", async () => {
    const invalid = await call("POST", "/login", { email: "x@example.test", userId: "" });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe("INVALID_ARGUMENT");
    const unknown = await call("POST", "/refresh", { refreshToken: "session-tag:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toMatch(/^REFRESH_/);
  });

  it("is also a fetch: the endpoint's HTTP routes through the binding; nothing on the public route", async () => {
    const jwks = await call("GET", "/.well-known/jwks.json");
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys[0]).toMatchObject({ kty: "EC", alg: "ES256" });
    expect(jwks.body.keys[0].d).toBeUndefined();
    // The public default export answers nothing: the endpoint is reachable through bindings only.
    const sessions = await mf.getWorker("sessions");
    expect((await sessions.fetch("http://sessions.internal/.well-known/jwks.json")).status).toBe(404);
  });
});
