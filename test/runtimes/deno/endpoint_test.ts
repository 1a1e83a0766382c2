/// <reference lib="deno.ns" />
/// <reference lib="deno.unstable" />
/// <reference lib="dom" />
import { denoKvStore, generateAccessKey, generateSecret, generateSigningKey } from "tessera-sessions/server";
import { verifySessionToken } from "tessera-sessions/verify";
import { expect } from "vitest";
import { createBackendClient } from "../../../examples/deno/client.ts";
import { createEndpoint } from "../../../examples/deno/endpoint.ts";

// The Deno example's endpoint (denoKvStore) and client (denoKVStorage + encryptedStorage) in Deno.
const ISSUER = "http://tessera.deno.test";
const SCOPE = { product: "my-product-tag", env: "snd", tag: "session-tag" };
const DATA = { userId: "1919102009383", details: { username: "feekayo", email: "fikayo@ductape.app" } };
const accessKey = generateAccessKey("secret");
const signingKeys = [await generateSigningKey("EdDSA")];

async function endpoint() {
  const kv = await Deno.openKv(":memory:");
  const server = createEndpoint(kv, { issuer: ISSUER, secret: generateSecret(), signingKeys, accessKeys: [accessKey] });
  const post = async (path: string, body: object) => {
    const response = await server.fetch(new Request(`${ISSUER}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${accessKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }));
    // deno-lint-ignore no-explicit-any
    return { status: response.status, body: (await response.json()) as any };
  };
  return { kv, server, post };
}

/** Every value in the KV, as one string, to look for secrets in. */
async function dump(kv: Deno.Kv): Promise<string> {
  const values: unknown[] = [];
  for await (const entry of kv.list({ prefix: [] })) values.push(entry.value);
  return JSON.stringify(values);
}

Deno.test("endpoint: start, verify, rotate, reuse of an old refresh token revokes the session", async () => {
  const { kv, post } = await endpoint();
  try {
    const started = await post("/v1/sessions/start", { ...SCOPE, data: DATA });
    expect(started.status).toBe(201);
    expect((await post("/v1/sessions/verify", { ...SCOPE, token: started.body.token })).body).toMatchObject({ valid: true, data: DATA, identifier: DATA.userId });
    const first = await post("/v1/sessions/refresh", { ...SCOPE, refreshToken: started.body.refreshToken });
    const second = await post("/v1/sessions/refresh", { ...SCOPE, refreshToken: first.body.refreshToken });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
    // Generation 0 after generation 2 exists: not the immediately previous token, so reuse (RFC 9700 §4.14.2).
    const reused = await post("/v1/sessions/refresh", { ...SCOPE, refreshToken: started.body.refreshToken });
    expect(reused).toMatchObject({ status: 401, body: { error: { code: "REFRESH_REUSED" } } });
    expect((await post("/v1/sessions/refresh", { ...SCOPE, refreshToken: second.body.refreshToken })).body.error.code).toBe("SESSION_REVOKED");
    expect((await post("/v1/sessions/verify", { ...SCOPE, token: second.body.token })).body).toEqual({ valid: false, reason: "revoked" });
    // At rest: hashes and ciphertext only.
    const stored = await dump(kv);
    for (const secret of [started.body.refreshToken, first.body.refreshToken, second.body.refreshToken, "feekayo", "fikayo@ductape.app"]) {
      expect(stored).not.toContain(secret.split(":").pop());
    }
  } finally {
    kv.close();
  }
});

Deno.test("endpoint: 20 concurrent refreshes with one token make exactly one generation", async () => {
  const { kv, post } = await endpoint();
  try {
    const started = await post("/v1/sessions/start", { ...SCOPE, data: DATA });
    const answers = await Promise.all(Array.from({ length: 20 }, () => post("/v1/sessions/refresh", { ...SCOPE, refreshToken: started.body.refreshToken })));
    // The winner's pair; the others are inside the grace window and get that same pair.
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((a) => a.body.refreshToken)).size).toBe(1);
    const session = await denoKvStore(kv).getSession(started.body.sessionId);
    expect(session).toMatchObject({ generation: 1, revokedAt: null });
  } finally {
    kv.close();
  }
});

Deno.test("endpoint: the largest data start accepts still rotates in Deno KV; larger data is refused at start", async () => {
  const { kv, post } = await endpoint();
  try {
    // Start caps the token at 8,192 characters (about 4 KB of data), far inside Deno KV's 64 KiB values.
    const near = await post("/v1/sessions/start", { ...SCOPE, data: { userId: "big", details: { email: "x".repeat(3_900) } } });
    expect(near.status).toBe(201);
    expect(near.body.token.length).toBeGreaterThan(7_000);
    const first = await post("/v1/sessions/refresh", { ...SCOPE, refreshToken: near.body.refreshToken });
    const second = await post("/v1/sessions/refresh", { ...SCOPE, refreshToken: first.body.refreshToken });
    expect([first.status, second.status]).toEqual([200, 200]);
    const tooLarge = await post("/v1/sessions/start", { ...SCOPE, data: { userId: "bigger", details: { email: "x".repeat(30_000) } } });
    expect(tooLarge).toMatchObject({ status: 400, body: { error: { code: "INVALID_ARGUMENT", field: "data" } } });
  } finally {
    kv.close();
  }
});

Deno.test("over Deno.serve: the example client keeps encrypted tokens in Deno KV; offline verify with the served JWKS", async () => {
  const { kv, server } = await endpoint();
  const clientKv = await Deno.openKv(":memory:");
  const http = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, server.fetch);
  const baseUrl = `http://127.0.0.1:${http.addr.port}`;
  const client = createBackendClient(clientKv, { baseUrl, accessKey, storageSecret: generateSecret(), userKey: "user-42" });
  try {
    const started = await client.sessions.start({ tag: SCOPE.tag, data: DATA });
    expect((await client.sessions.get({ tag: SCOPE.tag }))?.token).toBe(started.token);
    const refreshed = await client.sessions.refresh({ tag: SCOPE.tag });
    expect(refreshed.refreshToken).not.toBe(started.refreshToken);
    expect((await client.sessions.verify({ tag: SCOPE.tag })).valid).toBe(true);

    const raw: unknown[] = [];
    for await (const entry of clientKv.list({ prefix: ["app-sessions", "user-42"] })) raw.push(entry.value);
    expect(raw).toHaveLength(1);
    expect(raw[0]).toMatch(/^v1\./);
    for (const secret of [refreshed.token.split(":")[1]!, refreshed.refreshToken.split(":")[1]!, "fikayo", "session-tag"]) {
      expect(raw[0]).not.toContain(secret);
    }

    const offline = await verifySessionToken(refreshed.token, { jwksUrl: `${baseUrl}/.well-known/jwks.json`, issuer: ISSUER, ...SCOPE });
    expect(offline).toMatchObject({ valid: true, identifier: DATA.userId, sessionId: started.sessionId });
    expect(await verifySessionToken(refreshed.token, { jwksUrl: `${baseUrl}/.well-known/jwks.json`, issuer: ISSUER, ...SCOPE, env: "prd" })).toEqual({ valid: false, reason: "scope" });

    expect(await client.sessions.end({ tag: SCOPE.tag })).toEqual({ revoked: 1 });
    expect(await client.sessions.get({ tag: SCOPE.tag })).toBeNull();
    expect((await clientKv.get(["app-sessions", "user-42", "tessera:my-product-tag:snd:session-tag"])).value).toBeNull();
  } finally {
    client.close();
    await http.shutdown();
    clientKv.close();
    kv.close();
  }
});
