import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateAccessKey, generateSecret, generateSigningKey } from "../../../src/server/index.js";
import { cloudflareKVStorage, encryptedStorage, secretKey, type KVNamespaceLike } from "../../../src/storage/index.js";
import { verifySessionToken } from "../../../src/verify/index.js";
import { createClient, dpopKey } from "../../../src/index.js";
import { bundleWorker } from "./bundle.js";

// The Cloudflare Worker example (examples/cloudflare-worker) in workerd, through Miniflare:
// the endpoint over D1, the /app/* client side with encrypted tokens in KV, /api/* offline verification.
const ISSUER = "https://sessions.example.test";
const SCOPE = { product: "my-product-tag", env: "snd", tag: "session-tag" };
const DATA = { userId: "1919102009383", details: { username: "feekayo", email: "fikayo@ductape.app" } };
const ACCESS_KEY = generateAccessKey("secret");
const PUBLISHABLE_KEY = generateAccessKey("publishable");
const TOKENS_SECRET = generateSecret();

let mf: Miniflare;
let script: string;
let kv: KVNamespaceLike & { list(options?: { prefix?: string }): Promise<{ keys: { name: string }[] }> };

beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: (script = await bundleWorker()),
    compatibilityDate: "2025-01-01",
    d1Databases: ["DB"],
    kvNamespaces: ["TOKENS"],
    bindings: {
      TESSERA_ISSUER: ISSUER,
      TESSERA_ENV: "snd",
      TESSERA_SECRET: generateSecret(),
      TESSERA_SIGNING_KEYS: JSON.stringify([await generateSigningKey("ES256")]),
      TESSERA_SECRET_KEYS: ACCESS_KEY,
      TESSERA_PUBLISHABLE_KEYS: PUBLISHABLE_KEY,
      TOKENS_SECRET,
    },
  });
  kv = (await mf.getKVNamespace("TOKENS")) as unknown as typeof kv;
}, 60_000);
afterAll(async () => {
  await mf?.dispose();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await mf.dispatchFetch(`${ISSUER}${path}`, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}
const endpoint = (path: string, body: object) => call("POST", path, { ...SCOPE, ...body }, { authorization: `Bearer ${ACCESS_KEY}` });

describe("the sessions endpoint in workerd over D1", () => {
  it("bundles without Node built-ins or the Node-only database drivers (no nodejs_compat needed)", () => {
    expect(script).not.toMatch(/["'](node:[a-z_/]+|better-sqlite3|pg)["']/);
    expect(script).toContain("createSessionServer");
  });

  it("starts, verifies, rotates, and revokes the session when an old refresh token comes back", async () => {
    const started = await endpoint("/v1/sessions/start", { data: DATA });
    expect(started.status).toBe(201);
    expect(started.body.token).toMatch(/^session-tag:eyJ/);
    expect((await endpoint("/v1/sessions/verify", { token: started.body.token })).body).toMatchObject({ valid: true, data: DATA, identifier: DATA.userId });
    const first = await endpoint("/v1/sessions/refresh", { refreshToken: started.body.refreshToken });
    const second = await endpoint("/v1/sessions/refresh", { refreshToken: first.body.refreshToken });
    expect([first.status, second.status]).toEqual([200, 200]);
    // The immediately previous token inside the grace window: the current pair, not a new one.
    expect((await endpoint("/v1/sessions/refresh", { refreshToken: first.body.refreshToken })).body.refreshToken).toBe(second.body.refreshToken);
    // Generation 0 is two rotations old: reuse (RFC 9700 §4.14.2) revokes the session.
    expect((await endpoint("/v1/sessions/refresh", { refreshToken: started.body.refreshToken })).body.error.code).toBe("REFRESH_REUSED");
    expect((await endpoint("/v1/sessions/refresh", { refreshToken: second.body.refreshToken })).body.error.code).toBe("SESSION_REVOKED");
    expect((await endpoint("/v1/sessions/verify", { token: second.body.token })).body).toEqual({ valid: false, reason: "revoked" });
  });

  it("makes exactly one generation out of 10 concurrent refreshes (D1 batch compare-and-set)", async () => {
    const started = await endpoint("/v1/sessions/start", { data: DATA });
    const answers = await Promise.all(Array.from({ length: 10 }, () => endpoint("/v1/sessions/refresh", { refreshToken: started.body.refreshToken })));
    const ok = answers.filter((a) => a.status === 200);
    expect(ok.length).toBeGreaterThan(0);
    expect(new Set(ok.map((a) => a.body.refreshToken)).size).toBe(1);
    for (const a of answers) if (a.status !== 200) expect(a.body.error.code).toBe("REFRESH_REUSED");
    const db = await mf.getD1Database("DB");
    const row = await db.prepare("SELECT generation FROM tessera_sessions WHERE id = ?").bind(started.body.sessionId).first<{ generation: number }>();
    expect(row?.generation).toBe(1);
  });
});

describe("/api/*: offline verification inside the Worker with the JWKS cached in KV", () => {
  it("accepts a valid token without the endpoint, refuses a forged one, and caches the JWKS", async () => {
    const started = await endpoint("/v1/sessions/start", { data: DATA });
    const whoami = await call("GET", "/api/whoami", undefined, { authorization: `Session ${started.body.token}` });
    expect(whoami).toMatchObject({ status: 200, body: { identifier: DATA.userId, sessionId: started.body.sessionId } });
    const cached = JSON.parse((await kv.get("tessera/jwks", "text"))!);
    expect(cached.keys).toHaveLength(1);
    expect(cached.keys[0]).not.toHaveProperty("d");
    // A token signed by another key, with the right kid: refused on the signature.
    const [tag, jwt] = started.body.token.split(":");
    const [header, payload] = jwt.split(".");
    const forged = `${tag}:${header}.${payload}.${"A".repeat(86)}`;
    expect((await call("GET", "/api/whoami", undefined, { authorization: `Session ${forged}` })).body.error.reason).toBe("signature");
    expect((await call("GET", "/api/whoami")).status).toBe(401);
    // The same check from Node with the served JWKS agrees.
    const jwks = (await call("GET", "/.well-known/jwks.json")).body;
    expect(await verifySessionToken(started.body.token, { jwks, issuer: ISSUER, ...SCOPE })).toMatchObject({ valid: true, identifier: DATA.userId });
  });
});

describe("/app/*: a client in the Worker keeping its tokens encrypted in KV", () => {
  it("logs in, reads, refreshes and logs out; KV holds only ciphertext that decrypts to a valid session", async () => {
    const login = await call("POST", "/app/login", { userId: "user-7", email: "seven@example.com", username: "seven" });
    expect(login.status).toBe(200);
    expect(JSON.stringify(login.body)).not.toMatch(/session-tag:/); // no token reaches the browser
    const cookie = /^(tessera_app=[\w-]{43});/.exec(login.headers.get("set-cookie") ?? "")?.[1] ?? "";
    expect(login.headers.get("set-cookie")).toMatch(/^tessera_app=[\w-]{43}; Path=\/app\/; HttpOnly; Secure; SameSite=Lax/);
    const visitor = cookie.split("=")[1]!;
    const key = `app/${visitor}/tessera:my-product-tag:snd:session-tag`;
    expect((await kv.list({ prefix: `app/${visitor}/` })).keys.map((k) => k.name)).toEqual([key]);

    const raw = (await kv.get(key, "text"))!;
    expect(raw).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    // Decrypt it from Node with the same secret: it is the session, and none of it shows in the raw value.
    const sealed = encryptedStorage(cloudflareKVStorage(kv, { prefix: `app/${visitor}/` }), { key: secretKey(TOKENS_SECRET) });
    const stored = JSON.parse((await sealed.get("tessera:my-product-tag:snd:session-tag"))!);
    for (const secret of [stored.token.split(":")[1], stored.refreshToken.split(":")[1], "seven@example.com", "session-tag"]) {
      expect(raw).not.toContain(secret);
    }
    expect(await verifySessionToken(stored.token, { jwks: (await call("GET", "/.well-known/jwks.json")).body, issuer: ISSUER, ...SCOPE })).toMatchObject({ valid: true, identifier: "user-7" });

    const me = await call("GET", "/app/me", undefined, { cookie });
    expect(me).toMatchObject({ status: 200, body: { identifier: "user-7", data: { userId: "user-7", details: { email: "seven@example.com", username: "seven" } } } });
    const refreshed = await call("POST", "/app/refresh", {}, { cookie });
    expect(refreshed.body.sessionId).toBe(login.body.sessionId);
    const rewritten = (await kv.get(key, "text"))!;
    expect(rewritten).not.toBe(raw);
    expect(JSON.parse((await sealed.get("tessera:my-product-tag:snd:session-tag"))!).refreshToken).not.toBe(stored.refreshToken);

    const logout = await call("POST", "/app/logout", {}, { cookie });
    expect(logout.body).toEqual({ revoked: 1 });
    expect(await kv.get(key, "text")).toBeNull();
    expect((await call("GET", "/app/me", undefined, { cookie })).status).toBe(401);
    expect((await endpoint("/v1/sessions/verify", { token: stored.token })).body).toEqual({ valid: false, reason: "revoked" });
  });

  it("refuses a form post (CSRF) and a request without the cookie", async () => {
    const form = await mf.dispatchFetch(`${ISSUER}/app/refresh`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=1" });
    expect(form.status).toBe(415);
    await form.arrayBuffer();
    expect((await call("GET", "/app/me")).status).toBe(401);
  });
});

/** A page's fetch, into workerd (Miniflare answers with its own Response class: copied into the global one). */
async function viaWorkerd(request: Request): Promise<Response> {
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
  const answer = await mf.dispatchFetch(request.url, { method: request.method, headers: [...request.headers], ...(body ? { body } : {}) });
  const bytes = await answer.arrayBuffer();
  return new Response(answer.status === 204 ? null : bytes, { status: answer.status, headers: [...answer.headers] });
}

describe("/auth/login: a page that keeps its own tokens, bound to its DPoP key (docs/dpop.md)", () => {
  it("binds the session from its first token; the page refreshes and calls /api/whoami with proofs; the tokens alone are refused", async () => {
    const key = dpopKey({ database: false });
    const jkt = await key.thumbprint();
    const login = await call("POST", "/auth/login", { userId: "user-9", email: "nine@example.com", jkt });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const claimsOf = (token: string) => JSON.parse(Buffer.from(token.slice(token.indexOf(":") + 1).split(".")[1]!, "base64url").toString());
    expect(login.body.token).toMatch(/^web:eyJ/);
    expect(claimsOf(login.body.token).cnf).toEqual({ jkt });

    // The page: publishable key, its DPoP key, the tokens its backend handed over.
    const page = createClient({ baseUrl: ISSUER, accessKey: PUBLISHABLE_KEY, product: SCOPE.product, env: SCOPE.env, dpop: key, fetch: viaWorkerd });
    try {
      await page.sessions.adopt({ tag: "web", ...login.body });
      const api = page.sessions.fetch({ tag: "web" }, viaWorkerd);
      const whoami = await api(`${ISSUER}/api/whoami`);
      expect([whoami.status, ((await whoami.json()) as { identifier: string }).identifier]).toEqual([200, "user-9"]);
      const refreshed = await page.sessions.refresh({ tag: "web" });
      expect(claimsOf(refreshed.token).cnf).toEqual({ jkt });

      // The same tokens anywhere without the page's key: the API and the endpoint refuse them.
      const stolen = await call("GET", "/api/whoami", undefined, { authorization: `Session ${refreshed.token}` });
      expect(stolen).toMatchObject({ status: 401, body: { error: { reason: "dpop" } } });
      const replay = await call("POST", "/v1/sessions/refresh", { ...SCOPE, tag: "web", refreshToken: refreshed.refreshToken }, { authorization: `Bearer ${PUBLISHABLE_KEY}` });
      expect(replay).toMatchObject({ status: 401, body: { error: { code: "DPOP_REQUIRED" } } });
      // The page's session is still alive after those refusals.
      expect((await api(`${ISSUER}/api/whoami`)).status).toBe(200);
    } finally {
      page.close();
    }
  });

  it("refuses a sign-in without the page's key thumbprint", async () => {
    const login = await call("POST", "/auth/login", { userId: "user-9", email: "nine@example.com" });
    expect(login).toMatchObject({ status: 400, body: { error: { code: "INVALID_ARGUMENT", field: "jkt" } } });
  });
});

describe("a missing or malformed secret", () => {
  it("answers INVALID_CONFIG as JSON naming the variable, never its value, on every route", async () => {
    const good = {
      TESSERA_ISSUER: ISSUER,
      TESSERA_ENV: "snd",
      TESSERA_SECRET: generateSecret(),
      TESSERA_SIGNING_KEYS: JSON.stringify([await generateSigningKey("ES256")]),
      TESSERA_SECRET_KEYS: ACCESS_KEY,
      TOKENS_SECRET,
    };
    const { TESSERA_SECRET: _unset, ...withoutSecret } = good;
    const broken = new Miniflare({ modules: true, script, compatibilityDate: "2025-01-01", d1Databases: ["DB"], kvNamespaces: ["TOKENS"], bindings: withoutSecret });
    const ask = async (path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) => {
      const response = await broken.dispatchFetch(`${ISSUER}${path}`, init);
      return { status: response.status, body: (await response.json()) as { error: { code: string; field?: string; message: string } } };
    };
    try {
      for (const path of ["/v1/sessions/start", "/app/login", "/api/whoami"]) {
        const answer = await ask(path, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
        expect(answer).toMatchObject({ status: 500, body: { error: { code: "INVALID_CONFIG", field: "TESSERA_SECRET" } } });
        expect(answer.body.error.message).toMatch(/^TESSERA_SECRET: is not set/);
      }
      const notJson = "{not json, but secret-looking";
      await broken.setOptions({ modules: true, script, compatibilityDate: "2025-01-01", d1Databases: ["DB"], kvNamespaces: ["TOKENS"], bindings: { ...good, TESSERA_SIGNING_KEYS: notJson } });
      const bad = await ask("/v1/sessions/start", { method: "POST" });
      expect(bad.body.error).toMatchObject({ code: "INVALID_CONFIG", field: "TESSERA_SIGNING_KEYS" });
      expect(JSON.stringify(bad.body)).not.toContain(notJson);
      const { TOKENS_SECRET: _none, ...withoutTokensSecret } = good;
      await broken.setOptions({ modules: true, script, compatibilityDate: "2025-01-01", d1Databases: ["DB"], kvNamespaces: ["TOKENS"], bindings: withoutTokensSecret });
      const login = await ask("/app/login", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(login).toMatchObject({ status: 500, body: { error: { code: "INVALID_CONFIG", field: "TOKENS_SECRET" } } });
      // The endpoint itself does not need the example's TOKENS_SECRET.
      expect((await ask("/healthz")).status).toBe(200);
    } finally {
      await broken.dispose();
    }
  }, 60_000);
});
