/**
 * Sender-constrained sessions (RFC 9449) against the real endpoint, in process: a session bound
 * to a key is useless to whoever copies its tokens, on every route, offline verification included.
 */
import { afterEach, describe, expect, it } from "vitest";
import { decodeJwt } from "jose";
import { dpopKey, type DpopKey } from "../../src/index.js";
import { createDpopProof } from "../../src/shared/dpop/create-proof.js";
import { jwkThumbprint } from "../../src/shared/dpop/thumbprint.js";
import { verifySessionToken } from "../../src/verify/index.js";
import { closeClients, harness, harnessClient, PRODUCTS, PUBLISHABLE_KEY, SCOPE, SEED_DATA, type Harness } from "./helpers.js";

const BASE = "http://127.0.0.1:8787";
const BOUND = { ...SCOPE, tag: "bound" };
const products = [{ ...PRODUCTS[0]!, sessions: [...PRODUCTS[0]!.sessions, { ...PRODUCTS[0]!.sessions[0]!, tag: "bound", binding: "dpop" as const }] }];

afterEach(closeClients);

async function setup(overrides: Parameters<typeof harness>[0] = {}) {
  const h = await harness({ products, ...overrides });
  const key = dpopKey({ database: false, now: () => h.clock.now });
  const client = harnessClient(h, { dpop: key });
  const tokens = await client.sessions.start({ tag: "bound", data: SEED_DATA });
  return { h, key, client, tokens };
}

/** A proof made by hand: the thief's own key, or the right key with a wrong claim. */
async function handProof(key: DpopKey | CryptoKeyPair, h: Harness, path: string, over: { htm?: string; token?: string; iatOffset?: number; htu?: string } = {}) {
  if ("proof" in key) return key.proof(over.htm ?? "POST", over.htu ?? `${BASE}${path}`, over.token);
  const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", key.publicKey);
  return createDpopProof(key.privateKey, { kty, crv, x, y } as never, {
    htm: over.htm ?? "POST",
    htu: over.htu ?? `${BASE}${path}`,
    iat: Math.floor(h.clock.now / 1000) + (over.iatOffset ?? 0),
    ...(over.token ? { token: over.token } : {}),
  });
}

const thiefKey = () => crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]) as Promise<CryptoKeyPair>;

describe("DPoP-bound sessions against the real endpoint", () => {
  it("binds the session to the key's thumbprint and keeps working through refresh, verify and track", async () => {
    const { h, key, client, tokens } = await setup();
    const jkt = await key.thumbprint();
    expect(decodeJwt(tokens.token.slice(tokens.token.indexOf(":") + 1)).cnf).toEqual({ jkt });
    const refreshed = await client.sessions.refresh({ tag: "bound" });
    expect(decodeJwt(refreshed.token.slice(refreshed.token.indexOf(":") + 1)).cnf).toEqual({ jkt });
    expect(await client.sessions.verify({ tag: "bound" })).toMatchObject({ valid: true, identifier: SEED_DATA.userId });
    // track through the client's fetch wrapper: Authorization: Session plus a proof with ath.
    const track = client.sessions.fetch({ tag: "bound" }, (r) => h.server.fetch(r));
    const answer = await track(`${BASE}/v1/sessions/track`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ action: "opened" }) });
    expect(answer.status).toBe(202);
  });

  it("refuses tokens replayed without the key on refresh, verify, track and revoke, and leaves the session alive", async () => {
    const { h, client, tokens } = await setup();
    const refresh = await h.post("/v1/sessions/refresh", { ...BOUND, refreshToken: tokens.refreshToken });
    expect(refresh).toMatchObject({ status: 401, body: { error: { code: "DPOP_REQUIRED" } } });
    const verify = await h.post("/v1/sessions/verify", { ...BOUND, token: tokens.token });
    expect(verify).toMatchObject({ status: 401, body: { error: { code: "DPOP_REQUIRED" } } });
    const track = await h.call("POST", "/v1/sessions/track", { action: "x" }, { key: null, headers: { authorization: `Session ${tokens.token}` } });
    expect(track.status).toBe(401);
    expect(track.headers.get("www-authenticate")).toMatch(/^DPoP /);
    expect((await track.json()).error.code).toBe("DPOP_REQUIRED");
    const revoke = await h.post("/v1/sessions/revoke", { ...BOUND, refreshToken: tokens.refreshToken }, { key: PUBLISHABLE_KEY });
    expect(revoke).toMatchObject({ status: 401, body: { error: { code: "DPOP_REQUIRED" } } });
    // None of that touched the session: the holder of the key refreshes as before (no reuse revocation).
    await expect(client.sessions.refresh({ tag: "bound" })).resolves.toMatchObject({ sessionId: tokens.sessionId });
  });

  it("refuses a proof from another key, a replayed proof, wrong htm/htu and a missing ath", async () => {
    const { h, key, tokens } = await setup();
    const thief = await thiefKey();
    const path = "/v1/sessions/verify";
    const verifyWith = (proof: string) => h.post(path, { ...BOUND, token: tokens.token }, { headers: { dpop: proof } });
    const expectInvalid = async (proof: string, problem: RegExp) => {
      const answer = await verifyWith(proof);
      expect(answer).toMatchObject({ status: 401, body: { error: { code: "DPOP_INVALID" } } });
      expect(answer.body.error.message).toMatch(problem);
    };
    await expectInvalid(await handProof(thief, h, path, { token: tokens.token }), /another key/);
    await expectInvalid(await handProof(key, h, path, { htm: "GET", token: tokens.token }), /htm/);
    await expectInvalid(await handProof(key, h, path, { htu: `${BASE}/v1/sessions/track`, token: tokens.token }), /htu/);
    await expectInvalid(await handProof(key, h, path), /ath/);
    await expectInvalid(await handProof(key, h, path, { token: `${tokens.token}x` }), /ath/);
    await expectInvalid("not.a.proof", /compact JWS/);
    const good = await handProof(key, h, path, { token: tokens.token });
    expect((await verifyWith(good)).body).toMatchObject({ valid: true });
    await expectInvalid(good, /already used/);
    // A refresh proof replayed (by someone who saw one request) is refused too.
    const refreshProof = await handProof(key, h, "/v1/sessions/refresh");
    expect((await h.post("/v1/sessions/refresh", { ...BOUND, refreshToken: tokens.refreshToken }, { headers: { dpop: refreshProof } })).status).toBe(200);
    const replay = await h.post("/v1/sessions/refresh", { ...BOUND, refreshToken: tokens.refreshToken }, { headers: { dpop: refreshProof } });
    expect(replay).toMatchObject({ status: 401, body: { error: { code: "DPOP_INVALID" } } });
  });

  it("accepts a client clock up to 5 minutes off either way and refuses 6 (docs/dpop.md)", async () => {
    const h = await harness({ products });
    const path = "/v1/sessions/verify";
    // Bind a fresh session to a hand-held pair so iat can be set freely.
    const pair = await thiefKey();
    const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", pair.publicKey);
    const jkt = await jwkThumbprint({ kty, crv, x, y } as never);
    const started = await h.post("/v1/sessions/start", { ...BOUND, data: SEED_DATA, dpop: { jkt } });
    expect(started.status).toBe(201);
    const token = started.body.token as string;
    for (const [offset, status] of [[-290, 200], [290, 200], [-360, 401], [360, 401]] as const) {
      const proof = await handProof(pair, h, path, { token, iatOffset: offset });
      const answer = await h.post(path, { ...BOUND, token }, { headers: { dpop: proof } });
      expect([offset, answer.status]).toEqual([offset, status]);
      if (status === 401) expect(answer.body.error.message).toMatch(/iat/);
    }
  });

  it("refuses to start a bound session without a key, and binds one a backend passes on as dpop.jkt", async () => {
    const h = await harness({ products });
    const none = await h.post("/v1/sessions/start", { ...BOUND, data: SEED_DATA });
    expect(none).toMatchObject({ status: 401, body: { error: { code: "DPOP_REQUIRED" } } });
    const bad = await h.post("/v1/sessions/start", { ...BOUND, data: SEED_DATA, dpop: { jkt: "short" } });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: "INVALID_ARGUMENT", field: "dpop.jkt" } } });
    // The backend flow: the page sends its thumbprint, the backend (no key of its own) starts, the page adopts.
    const page = dpopKey({ database: false, now: () => h.clock.now });
    const backend = harnessClient(h);
    const tokens = await backend.sessions.start({ tag: "bound", data: SEED_DATA, dpop: { jkt: await page.thumbprint() }, persist: false });
    const pageClient = harnessClient(h, { dpop: page });
    await pageClient.sessions.adopt({ ...BOUND, ...tokens });
    await expect(pageClient.sessions.refresh({ tag: "bound" })).resolves.toMatchObject({ sessionId: tokens.sessionId });
    // The backend itself, without the page's key, cannot use them.
    await expect(backend.sessions.refresh({ tag: "bound", refreshToken: tokens.refreshToken })).rejects.toMatchObject({ code: "DPOP_REQUIRED", status: 401 });
  });

  it("leaves unbound configs as they were: proofs are ignored there and tokens carry no cnf", async () => {
    const h = await harness({ products });
    const client = harnessClient(h, { dpop: dpopKey({ database: false, now: () => h.clock.now }) });
    const tokens = await client.sessions.start({ tag: SCOPE.tag, data: SEED_DATA });
    expect(decodeJwt(tokens.token.slice(tokens.token.indexOf(":") + 1)).cnf).toBeUndefined();
    expect((await h.post("/v1/sessions/verify", { ...SCOPE, token: tokens.token })).body).toMatchObject({ valid: true });
    expect((await h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: tokens.refreshToken })).status).toBe(200);
  });

  it("a client without dpop sends no DPoP header at all (the unbound default is unchanged)", async () => {
    const h = await harness({ products });
    const headers: Array<string | null> = [];
    const client = harnessClient(h, { fetch: (request) => (headers.push(request.headers.get("dpop")), h.server.fetch(request)) });
    await client.sessions.start({ tag: SCOPE.tag, data: SEED_DATA });
    await client.sessions.refresh({ tag: SCOPE.tag });
    await client.sessions.verify({ tag: SCOPE.tag });
    await client.sessions.end({ tag: SCOPE.tag });
    expect(headers).toEqual([null, null, null, null]);
  });

  it("retries a use_dpop_nonce answer once, not again when the server keeps refusing", async () => {
    const h = await harness({ products, dpop: { nonces: true } });
    let calls = 0;
    const client = harnessClient(h, {
      dpop: dpopKey({ database: false, now: () => h.clock.now }),
      // Every answer is the server's refusal with a fresh nonce, whatever the proof says.
      fetch: async (request) => {
        calls++;
        const proofless = new Request(request, { headers: new Headers([...request.headers].filter(([name]) => name !== "dpop")) });
        return h.server.fetch(new Request(proofless, { headers: { ...Object.fromEntries(proofless.headers), dpop: await dpopKey({ database: false, now: () => h.clock.now }).proof("POST", request.url) } }));
      },
    });
    await expect(client.sessions.start({ tag: "bound", data: SEED_DATA, persist: false })).rejects.toMatchObject({ code: "DPOP_NONCE", status: 401 });
    expect(calls).toBe(2);
  });

  it("with server nonces, the client retries once with the nonce it was sent (RFC 9449 §8)", async () => {
    const h = await harness({ products, dpop: { nonces: true } });
    const seen: Array<{ path: string; status: number }> = [];
    const client = harnessClient(h, {
      dpop: dpopKey({ database: false, now: () => h.clock.now }),
      fetch: async (request) => {
        const response = await h.server.fetch(request);
        seen.push({ path: new URL(request.url).pathname, status: response.status });
        return response;
      },
    });
    await client.sessions.start({ tag: "bound", data: SEED_DATA });
    expect(seen).toEqual([{ path: "/v1/sessions/start", status: 401 }, { path: "/v1/sessions/start", status: 201 }]);
    await client.sessions.refresh({ tag: "bound" });
    // The nonce is remembered: no extra round trip while it is fresh.
    expect(seen.slice(2)).toEqual([{ path: "/v1/sessions/refresh", status: 200 }]);
    // Six minutes later it has expired: one more 401, one retry.
    h.clock.now += 6 * 60_000;
    await client.sessions.refresh({ tag: "bound" });
    expect(seen.slice(3).map((s) => s.status)).toEqual([401, 200]);
  });

  it("with server nonces, every answer to a DPoP call hands the current nonce, so a new nonce period costs no 401 (RFC 9449 §8.2)", async () => {
    const h = await harness({ products, dpop: { nonces: true }, cors: { origins: ["https://app.example"] } });
    const seen: Array<{ status: number; nonce: string | null; proofNonce: unknown }> = [];
    const client = harnessClient(h, {
      dpop: dpopKey({ database: false, now: () => h.clock.now }),
      fetch: async (request) => {
        const response = await h.server.fetch(request);
        const proof = request.headers.get("dpop");
        seen.push({ status: response.status, nonce: response.headers.get("dpop-nonce"), proofNonce: proof ? decodeJwt(proof).nonce : undefined });
        return response;
      },
    });
    await client.sessions.start({ tag: "bound", data: SEED_DATA });
    expect(seen.map((s) => s.status)).toEqual([401, 201]);
    // The success answer carries a nonce too (the one just used: still fresh).
    expect(seen[1]!.nonce).toBe(seen[0]!.nonce);
    // Four minutes on, the first nonce still works; the answer hands the next period's nonce.
    h.clock.now += 4 * 60_000;
    await client.sessions.refresh({ tag: "bound" });
    expect(seen[2]!.status).toBe(200);
    expect(seen[2]!.proofNonce).toBe(seen[0]!.nonce);
    expect(seen[2]!.nonce).not.toBe(seen[0]!.nonce);
    // Four more minutes: the first nonce has expired (8 > 5 minutes), but the client already
    // holds the next one. One request, no 401.
    h.clock.now += 4 * 60_000;
    await client.sessions.verify({ tag: "bound" });
    expect(seen.slice(3).map((s) => s.status)).toEqual([200]);
    expect(seen[3]!.proofNonce).toBe(seen[2]!.nonce);
    // Within one minute the same nonce is handed out (one seal a minute, not one per answer).
    await client.sessions.refresh({ tag: "bound" });
    expect(seen[4]!.nonce).toBe(seen[3]!.nonce);
    // A request without a proof gets no nonce; a cross-origin page may read the header (CORS).
    const plain = await h.call("GET", "/.well-known/jwks.json");
    expect(plain.headers.get("dpop-nonce")).toBeNull();
    const proof = await dpopKey({ database: false, now: () => h.clock.now }).proof("GET", `${BASE}/.well-known/jwks.json`);
    const cors = await h.server.fetch(new Request(`${BASE}/.well-known/jwks.json`, { headers: { origin: "https://app.example", dpop: proof } }));
    expect(cors.headers.get("dpop-nonce")).toMatch(/\S{20,}/);
    expect(cors.headers.get("access-control-expose-headers")).toContain("dpop-nonce");
  });

  it("sessions.fetch takes the app API's nonces too: from any answer, and a use_dpop_nonce answer retried once (RFC 9449 §9)", async () => {
    const { client } = await setup();
    const proofs: Array<{ nonce: unknown; jti: unknown }> = [];
    let answer = (_n: number) => new Response("ok", { headers: { "dpop-nonce": "api-nonce-1" } });
    const api = client.sessions.fetch({ tag: "bound", origins: ["https://app.example"] }, async (request) => {
      const { nonce, jti } = decodeJwt(request.headers.get("dpop")!);
      proofs.push({ nonce, jti });
      return answer(proofs.length);
    });
    expect((await api("https://app.example/api/me")).status).toBe(200);
    expect((await api("https://app.example/api/me")).status).toBe(200);
    expect(proofs.map((p) => p.nonce)).toEqual([undefined, "api-nonce-1"]);
    // The API refuses with a new nonce once: one retry, with a fresh proof carrying it.
    answer = (n) =>
      n === 3
        ? new Response(null, { status: 401, headers: { "dpop-nonce": "api-nonce-2", "www-authenticate": 'DPoP error="use_dpop_nonce"' } })
        : new Response("ok");
    expect((await api("https://app.example/api/me", { method: "POST", body: "{}" })).status).toBe(200);
    expect(proofs.slice(2).map((p) => p.nonce)).toEqual(["api-nonce-1", "api-nonce-2"]);
    expect(new Set(proofs.map((p) => p.jti)).size).toBe(4);
  });

  it("verifySessionToken refuses a bound token without its proof, with a replayed one, and accepts the page's request", async () => {
    const { h, client, tokens } = await setup();
    const jwks = await (await h.call("GET", "/.well-known/jwks.json")).json();
    const options = { jwks, issuer: BASE, ...BOUND, now: h.clock.now };
    expect(await verifySessionToken(tokens.token, options)).toEqual({ valid: false, reason: "dpop" });
    // What the page sends to its own backend: Authorization: Session plus a proof for that URL.
    let received: Request | undefined;
    const api = client.sessions.fetch({ tag: "bound", origins: ["https://app.example"] }, async (request) => ((received = request), new Response("ok")));
    await api("https://app.example/api/me");
    const token = /^Session (.+)$/.exec(received!.headers.get("authorization")!)![1]!;
    expect(await verifySessionToken(token, { ...options, request: received! })).toMatchObject({ valid: true, sessionId: tokens.sessionId });
    expect(await verifySessionToken(token, { ...options, request: received! })).toEqual({ valid: false, reason: "dpop" });
    // The same proof presented for another URL or method does not pass either.
    await api("https://app.example/api/me");
    const other = { proof: received!.headers.get("dpop"), method: "POST", url: "https://app.example/api/me" };
    expect(await verifySessionToken(token, { ...options, dpop: other })).toEqual({ valid: false, reason: "dpop" });
    // Unbound tokens need no proof.
    const unbound = await h.start();
    expect(await verifySessionToken(unbound.token, { ...options, ...SCOPE })).toMatchObject({ valid: true });
  });

  it("lets a backend's secret key verify a bound token with the proof the page sent it", async () => {
    const { h, client } = await setup();
    let received: Request | undefined;
    await client.sessions.fetch({ tag: "bound", origins: ["https://app.example"] }, async (request) => ((received = request), new Response("ok")))("https://app.example/api/me");
    const token = /^Session (.+)$/.exec(received!.headers.get("authorization")!)![1]!;
    const backend = harnessClient(h);
    const dpop = { proof: received!.headers.get("dpop")!, method: "GET", url: "https://app.example/api/me" };
    await expect(backend.sessions.verify({ tag: "bound", token, dpop })).resolves.toMatchObject({ valid: true });
    await expect(backend.sessions.verify({ tag: "bound", token, dpop })).rejects.toMatchObject({ code: "DPOP_INVALID" });
    // A publishable key cannot relay a proof: it must sign its own request.
    const pub = await h.post("/v1/sessions/verify", { ...BOUND, token, dpop }, { key: PUBLISHABLE_KEY });
    expect(pub).toMatchObject({ status: 401, body: { error: { code: "DPOP_REQUIRED" } } });
  });
});
