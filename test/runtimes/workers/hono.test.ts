import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harness, SCOPE, SECRET_KEY, type Harness } from "../../server/helpers.js";
import { bundleWorker } from "./bundle.js";

// examples/hono (tessera-sessions/hono) as a Worker in workerd. The endpoint runs in this Node
// process: the Worker's outgoing fetches (the JWKS, the verify route) reach it through
// Miniflare's outboundService, so the Worker uses workerd's real fetch and caches.
const ENDPOINT = "http://sessions.test";
let h: Harness;
let mf: Miniflare;
let script: string;
const outbound: string[] = [];

beforeAll(async () => {
  h = await harness({ issuer: ENDPOINT, now: () => Date.now() });
  script = await bundleWorker("examples/hono/worker.mjs");
  mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: "2025-01-01",
    bindings: { TESSERA_ENDPOINT: ENDPOINT, TESSERA_ISSUER: ENDPOINT, TESSERA_ENV: SCOPE.env, TESSERA_SECRET_KEY: SECRET_KEY },
    outboundService: async (request: import("miniflare").Request) => {
      outbound.push(new URL(request.url).pathname);
      const answer = await h.server.fetch(new Request(request.url, { method: request.method, headers: request.headers, body: request.method === "GET" ? null : await request.text() }));
      return new Response(await answer.text(), { status: answer.status, headers: answer.headers }) as never;
    },
  });
}, 60_000);
afterAll(async () => {
  await mf?.dispose();
});

const get = async (path: string, headers: Record<string, string> = {}) => {
  const response = await mf.dispatchFetch(`http://app.test${path}`, { headers });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
};

describe("tessera-sessions/hono in workerd (examples/hono/worker.mjs)", () => {
  it("bundles Hono and the middleware without Node built-ins", () => {
    expect(script).not.toMatch(/["'](node:[a-z_/]+|better-sqlite3|pg)["']/);
    expect(script).toContain("WWW-Authenticate".toLowerCase());
  });

  it("verifies offline with the JWKS fetched once and cached, and sets c.var.session", async () => {
    outbound.length = 0;
    const first = await h.start();
    const second = await h.start();
    for (const started of [first, second]) {
      const me = await get("/api/me", { authorization: `Session ${started.token}` });
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ identifier: "1919102009383", sessionId: started.sessionId, expiresAt: started.expiresAt });
    }
    // Cookie instead of the header.
    expect((await get("/api/me", { cookie: `session=${first.token}` })).status).toBe(200);
    expect(outbound.filter((p) => p === "/.well-known/jwks.json")).toHaveLength(1);
  });

  it("answers 401 with the JSON error body and WWW-Authenticate", async () => {
    const none = await get("/api/me");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Session realm="tessera"');
    expect(none.body.error.code).toBe("UNAUTHORIZED");
    const bad = await get("/api/me", { authorization: "Session session-tag:eyJhbGciOiJFUzI1NiJ9.e30.AAAA" });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(bad.body.error.code).toBe("SESSION_INVALID");
  });

  it("in endpoint mode returns the data and refuses a revoked session at once", async () => {
    const started = await h.start();
    const profile = await get("/account/profile", { authorization: `Session ${started.token}` });
    expect(profile.status).toBe(200);
    expect(profile.body.data.details.email).toBe("fikayo@ductape.app");
    await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: started.sessionId });
    const after = await get("/account/profile", { authorization: `Session ${started.token}` });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("SESSION_REVOKED");
  });
});
