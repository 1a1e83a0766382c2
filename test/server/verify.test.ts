import { describe, expect, it } from "vitest";
import { CompactEncrypt, SignJWT, decodeJwt, importJWK, type JWK } from "jose";
import { createSessionServer, generateSecret, memoryStore } from "../../src/server/index.js";
import { verifySessionToken } from "../../src/verify/index.js";
import { serveNode } from "../../src/node/index.js";
import { harness, PRODUCTS, PUBLISHABLE_KEY, SCOPE, SECRET_KEY, testKeys } from "./helpers.js";

const verify = (h: Awaited<ReturnType<typeof harness>>, token: unknown, scope: object = {}) =>
  h.post("/v1/sessions/verify", { ...SCOPE, ...scope, token }, { key: PUBLISHABLE_KEY });

/** Signs arbitrary claims and header with one of the test keys, to forge tokens the server must refuse. */
async function forge(jwk: JWK, claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  const key = await importJWK(jwk, jwk.alg);
  const jws = await new SignJWT(claims).setProtectedHeader({ alg: jwk.alg!, kid: jwk.kid, typ: "tessera+jwt", ...header }).sign(key);
  return `session-tag:${jws}`;
}

describe("POST /v1/sessions/verify", () => {
  it("answers valid with the decrypted data (secret key), session id, identifier and expiry", async () => {
    const h = await harness();
    const started = await h.start();
    const { status, body } = await h.post("/v1/sessions/verify", { ...SCOPE, token: started.token });
    expect(status).toBe(200);
    expect(body).toEqual({
      valid: true,
      data: { userId: "1919102009383", details: { username: "feekayo", email: "fikayo@ductape.app" } },
      sessionId: started.sessionId,
      identifier: "1919102009383",
      expiresAt: started.expiresAt,
    });
    // A publishable key gets the same answer without the data (the config does not set exposeData).
    const published = await verify(h, started.token);
    expect(published.body).toEqual({ valid: true, sessionId: started.sessionId, identifier: "1919102009383", expiresAt: started.expiresAt });
  });

  it("answers 200 valid:false with a reason for bad tokens", async () => {
    const h = await harness();
    const started = await h.start();
    const jws = started.token.slice("session-tag:".length);
    const [header, payload, signature] = jws.split(".");
    const flipped = signature!.startsWith("A") ? "B" + signature!.slice(1) : "A" + signature!.slice(1);
    const none = `session-tag:${btoa(JSON.stringify({ alg: "none", typ: "tessera+jwt", kid: "x" })).replace(/=+$/, "")}.${payload}.`;
    const cases: Array<[unknown, string]> = [
      ["garbage", "malformed"],
      ["session-tag:not.a.jws", "malformed"],
      [`session-tag:${header}.${payload}.${flipped}`, "signature"],
      [none, "signature"],
      [`guest:${jws}`, "scope"],
    ];
    for (const [token, reason] of cases) {
      const { status, body } = await verify(h, token);
      expect(status, String(token)).toBe(200);
      expect(body, String(token)).toEqual({ valid: false, reason });
    }
    expect((await verify(h, started.token, { env: "prd" })).body).toEqual({ valid: false, reason: "scope" });
    h.clock.now += 15 * 60_000 + 1000;
    expect((await verify(h, started.token)).body).toEqual({ valid: false, reason: "expired" });
    expect(h.errors).toEqual([]);
  });

  it("refuses unknown kids, key-carrying headers, a wrong issuer and a wrong typ", async () => {
    const h = await harness();
    const started = await h.start();
    const claims = decodeJwt(started.token.slice("session-tag:".length));
    const [es256] = await testKeys();
    expect((await verify(h, await forge(es256!, claims))).body.valid).toBe(true);
    expect((await verify(h, await forge(es256!, claims, { kid: "unknown" }))).body).toEqual({ valid: false, reason: "signature" });
    expect((await verify(h, await forge(es256!, claims, { jku: "https://evil.example/jwks" }))).body).toEqual({ valid: false, reason: "malformed" });
    expect((await verify(h, await forge(es256!, claims, { typ: "JWT" }))).body).toEqual({ valid: false, reason: "malformed" });
    expect((await verify(h, await forge(es256!, { ...claims, iss: "https://other" }))).body).toEqual({ valid: false, reason: "scope" });
    // A key the server does not have, under a kid it does have.
    const other = await (await import("../../src/server/index.js")).generateSigningKey("ES256");
    expect((await verify(h, await forge({ ...other, kid: es256!.kid }, claims))).body).toEqual({ valid: false, reason: "signature" });
  });

  it("binds the encrypted data to its session: another session's data does not decrypt", async () => {
    const h = await harness();
    const a = await h.start();
    const b = await h.start({ userId: "other", details: { email: "o@x" } });
    const claimsA = decodeJwt(a.token.slice("session-tag:".length));
    const claimsB = decodeJwt(b.token.slice("session-tag:".length));
    const [es256] = await testKeys();
    // Even with the signing key, pasting B's data into A's claims fails (sid in the JWE header).
    const mixed = await forge(es256!, { ...claimsA, dat: claimsB.dat });
    expect((await verify(h, mixed)).body).toEqual({ valid: false, reason: "malformed" });
    // And a JWE made with another secret is refused.
    const foreign = await new CompactEncrypt(new TextEncoder().encode("{}"))
      .setProtectedHeader({ alg: "dir", enc: "A256GCM", sid: claimsA.sid as string })
      .encrypt(crypto.getRandomValues(new Uint8Array(32)));
    expect((await verify(h, await forge(es256!, { ...claimsA, dat: foreign }))).body).toEqual({ valid: false, reason: "malformed" });
  });

  it("reports revoked and unknown sessions", async () => {
    const h = await harness();
    const started = await h.start();
    await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: started.sessionId });
    expect((await verify(h, started.token)).body).toEqual({ valid: false, reason: "revoked" });
    const elsewhere = await harness();
    expect((await verify(elsewhere, started.token)).body.reason).toBe("not_found");
  });

  it("answers 400 for a missing token and 401 without a key", async () => {
    const h = await harness();
    const missing = await h.post("/v1/sessions/verify", { ...SCOPE });
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe("token");
    const number = await h.post("/v1/sessions/verify", { ...SCOPE, token: 5 });
    expect(number.status).toBe(400);
    expect((await h.post("/v1/sessions/verify", { ...SCOPE, token: "x" }, { key: null })).status).toBe(401);
  });
});

describe("signing keys", () => {
  it("the newest key signs, older keys still verify until removed", async () => {
    const [es256, eddsa] = await testKeys();
    const store = memoryStore();
    const secret = generateSecret();
    const make = (keys: JWK[]) =>
      createSessionServer({ issuer: "http://127.0.0.1:8787", keys, secret, store, products: PRODUCTS, accessKeys: { secret: [SECRET_KEY] } });
    const call = (server: ReturnType<typeof make>, path: string, body: object) =>
      server.fetch(new Request(`http://x${path}`, { method: "POST", headers: { authorization: `Bearer ${SECRET_KEY}`, "content-type": "application/json" }, body: JSON.stringify(body) })).then((r) => r.json());
    const old = make([es256!]);
    const started = await call(old, "/v1/sessions/start", { ...SCOPE, data: { userId: "u", details: { email: "e" } } });
    const rotated = make([eddsa!, es256!]);
    expect((await call(rotated, "/v1/sessions/verify", { ...SCOPE, token: started.token })).valid).toBe(true);
    const refreshed = await call(rotated, "/v1/sessions/refresh", { ...SCOPE, refreshToken: started.refreshToken });
    const { alg, kid } = JSON.parse(atob(refreshed.token.split(":")[1].split(".")[0].replace(/-/g, "+").replace(/_/g, "/")));
    expect({ alg, kid }).toEqual({ alg: "EdDSA", kid: eddsa!.kid });
    const jwks = await (await rotated.fetch(new Request("http://x/.well-known/jwks.json"))).json();
    expect(jwks.keys.map((k: JWK) => k.kid)).toEqual([eddsa!.kid, es256!.kid]);
    for (const k of jwks.keys) expect(k.d).toBeUndefined();
    const removed = make([eddsa!]);
    expect(await call(removed, "/v1/sessions/verify", { ...SCOPE, token: started.token })).toEqual({ valid: false, reason: "signature" });
  });
});

describe("verifySessionToken (offline, tessera/verify)", () => {
  it("verifies with a local JWKS and with a JWKS URL, without the data", async () => {
    const h = await harness();
    const started = await h.start();
    const jwks = await (await h.call("GET", "/.well-known/jwks.json")).json();
    const options = { issuer: "http://127.0.0.1:8787", ...SCOPE, now: h.clock.now };
    const local = await verifySessionToken(started.token, { ...options, jwks });
    expect(local).toEqual({
      valid: true,
      sessionId: started.sessionId,
      identifier: "1919102009383",
      ...SCOPE,
      expiresAt: started.expiresAt,
      issuedAt: new Date(h.clock.now).toISOString(),
    });
    expect(await verifySessionToken(started.token, { ...options, jwks, env: "dev" })).toEqual({ valid: false, reason: "scope" });
    expect(await verifySessionToken(started.token, { ...options, jwks, now: h.clock.now + 3_600_000 })).toEqual({ valid: false, reason: "expired" });
    const node = await serveNode(h.server.fetch);
    try {
      const remote = await verifySessionToken(started.token, { ...options, jwksUrl: `${node.url}/.well-known/jwks.json` });
      expect(remote.valid).toBe(true);
    } finally {
      await node.close();
    }
  });
});
