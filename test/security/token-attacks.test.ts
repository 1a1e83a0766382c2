/**
 * Issue 6 §2: forged and misused session tokens, each refused with the right reason through
 * the server's verify route and through the offline `verifySessionToken`, and with the right
 * code where the token is a credential (track, revoke by sessionId with a publishable key).
 * Forgeries are built with jose. After every attack the victim session still works: a
 * refused token never damages the session it imitates.
 */
import { CompactEncrypt, exportSPKI, generateKeyPair, importJWK, SignJWT, exportJWK, calculateJwkThumbprint, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeBase64url, encodeBase64url, utf8 } from "../../src/shared/base64url.js";
import type { VerifyFailureReason } from "../../src/shared/protocol.js";
import { generateSigningKey } from "../../src/server/index.js";
import { verifySessionToken } from "../../src/verify/index.js";
import { harness, PRODUCTS, PUBLISHABLE_KEY, SCOPE, SEED_DATA, testKeys, type Harness } from "../server/helpers.js";

const ISSUER = "http://127.0.0.1:8787";
const TYP = "tessera+jwt";
const OTHER_PRODUCT = { tag: "other-product", envs: ["snd"], sessions: [{ ...PRODUCTS[0]!.sessions[0]! }] };

type Started = Awaited<ReturnType<Harness["start"]>>;
let h: Harness;
let a: Started; // the victim
let b: Started; // another user's session, same config
let c: Started; // a third one, whose expired token must not open the victim
let guest: Started; // another tag
let prd: Started; // another env
let other: Started; // another product
let jwks: { keys: JWK[] };
let es256: JWK;
let eddsa: JWK;

const jws = (token: string) => token.slice(token.indexOf(":") + 1);
const segments = (token: string) => jws(token).split(".") as [string, string, string];
const json = (segment: string) => JSON.parse(new TextDecoder().decode(decodeBase64url(segment)!)) as Record<string, unknown>;
const enc = (value: unknown) => encodeBase64url(utf8(JSON.stringify(value)));
const claimsOf = (token: string) => json(segments(token)[1]);
const headerOf = (token: string) => json(segments(token)[0]);

async function sign(key: JWK | Uint8Array | CryptoKey, header: Record<string, unknown>, claims: Record<string, unknown>, tag = "session-tag"): Promise<string> {
  const signingKey = key instanceof Uint8Array || (typeof CryptoKey !== "undefined" && key instanceof CryptoKey) ? key : await importJWK(key as JWK, (key as JWK).alg);
  const token = await new SignJWT(claims).setProtectedHeader(header as never).sign(signingKey as never);
  return `${tag}:${token}`;
}
/** A JWS signed by hand (jose refuses to sign some of these headers, e.g. an unknown `crit`). */
async function rawSign(header: Record<string, unknown>, claims: Record<string, unknown>): Promise<string> {
  const key = (await importJWK(es256, "ES256")) as CryptoKey;
  const input = `${enc(header)}.${enc(claims)}`;
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, utf8(input) as BufferSource);
  return `session-tag:${input}.${encodeBase64url(new Uint8Array(signature))}`;
}
/** Signed with the server's own key: only an insider could, and the server must still refuse it. */
const insider = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
  sign(es256, { alg: "ES256", kid: es256.kid, typ: TYP, ...header }, claims);

async function attackerKey(alg: "ES256" | "EdDSA" = "ES256") {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === "EdDSA" ? { crv: "Ed25519" } : {}) });
  const pub = await exportJWK(publicKey);
  return { privateKey, pub: { ...pub, kid: await calculateJwkThumbprint(pub), alg } as JWK };
}

beforeAll(async () => {
  [es256, eddsa] = (await testKeys()) as [JWK, JWK];
  h = await harness({ products: [...PRODUCTS, OTHER_PRODUCT] });
  a = await h.start();
  b = await h.start({ userId: "someone-else", details: { email: "b@x" } });
  c = await h.start({ userId: "third", details: { email: "c@x" } });
  // The harness types its scope as the seed's literals; these are the other configured ones.
  const elsewhere = (scope: Record<string, string>) => scope as unknown as Partial<typeof SCOPE>;
  guest = await h.start({ guestId: "g1" }, elsewhere({ tag: "guest" }));
  prd = await h.start(SEED_DATA, elsewhere({ env: "prd" }));
  other = await h.start(SEED_DATA, elsewhere({ product: "other-product" }));
  jwks = await (await h.call("GET", "/.well-known/jwks.json")).json();
});

async function serverVerify(token: unknown, scope: object = {}) {
  const answer = await h.post("/v1/sessions/verify", { ...SCOPE, ...scope, token }, { key: PUBLISHABLE_KEY });
  expect(answer.status).toBe(200);
  return answer.body;
}
const offline = (token: string, scope: object = {}) => verifySessionToken(token, { jwks: jwks as never, issuer: ISSUER, ...SCOPE, now: h.clock.now, ...scope });

const TRACK_CODE: Record<VerifyFailureReason, string> = {
  malformed: "SESSION_INVALID", signature: "SESSION_INVALID", scope: "SESSION_INVALID", not_found: "SESSION_INVALID",
  expired: "SESSION_EXPIRED", revoked: "SESSION_REVOKED",
};

interface Attack {
  name: string;
  token: () => Promise<string> | string;
  reason: VerifyFailureReason;
  /** The offline verifier sees no store and no data: some attacks only the server can catch. */
  offline?: VerifyFailureReason | "valid";
  /** A genuine token of another session: refused for this scope, yet a fine credential for its own session (track). */
  ownSessionValid?: true;
  /** When track cannot even read it as a session token from the header. */
  trackCode?: string;
}

const ATTACKS: Attack[] = [
  // RFC 8725 §2.1, §3.1: the algorithm is never taken from the token.
  { name: "alg none, the victim's claims, no signature", reason: "signature", token: () => `session-tag:${enc({ alg: "none", typ: TYP, kid: es256.kid })}.${segments(a.token)[1]}.` },
  { name: "alg none with the original signature kept", reason: "signature", token: () => `session-tag:${enc({ alg: "none", typ: TYP, kid: es256.kid })}.${segments(a.token)[1]}.${segments(a.token)[2]}` },
  { name: "alg NONE / None spelling", reason: "signature", token: () => `session-tag:${enc({ alg: "None", typ: TYP, kid: es256.kid })}.${enc({ ...claimsOf(a.token), sub: "admin" })}.` },
  { name: "HS256 signed with the public JWK (JSON) as the HMAC secret", reason: "signature", token: () => sign(utf8(JSON.stringify(jwks.keys[0])), { alg: "HS256", kid: es256.kid, typ: TYP }, claimsOf(a.token)) },
  { name: "HS256 signed with the public key's SPKI PEM as the HMAC secret", reason: "signature", token: async () => {
    const pem = await exportSPKI((await importJWK(jwks.keys[0]!, "ES256", { extractable: true })) as CryptoKey);
    return sign(utf8(pem), { alg: "HS256", kid: es256.kid, typ: TYP }, claimsOf(a.token));
  } },
  { name: "HS256 signed with the public x coordinate bytes", reason: "signature", token: () => sign(decodeBase64url(jwks.keys[0]!.x!)!, { alg: "HS256", kid: es256.kid, typ: TYP }, claimsOf(a.token)) },
  { name: "RS256 from an attacker RSA key under the server's kid", reason: "signature", token: async () => {
    const { privateKey } = await generateKeyPair("RS256", { modulusLength: 2048 });
    return sign(privateKey as CryptoKey, { alg: "RS256", kid: es256.kid, typ: TYP }, claimsOf(a.token));
  } },
  { name: "ES256 header alg claiming EdDSA", reason: "signature", token: () => `session-tag:${enc({ ...headerOf(a.token), alg: "EdDSA" })}.${segments(a.token)[1]}.${segments(a.token)[2]}` },
  // RFC 8725 §3.10 and the kid lookups.
  { name: "unknown kid", reason: "signature", token: async () => { const k = await attackerKey(); return sign(k.privateKey as CryptoKey, { alg: "ES256", kid: "no-such-kid", typ: TYP }, claimsOf(a.token)); } },
  { name: "kid path traversal", reason: "signature", token: async () => { const k = await attackerKey(); return sign(k.privateKey as CryptoKey, { alg: "ES256", kid: "../../../../dev/null", typ: TYP }, claimsOf(a.token)); } },
  { name: "kid SQL injection", reason: "signature", token: async () => { const k = await attackerKey(); return sign(k.privateKey as CryptoKey, { alg: "ES256", kid: "' OR '1'='1", typ: TYP }, claimsOf(a.token)); } },
  { name: "kid empty", reason: "signature", token: async () => { const k = await attackerKey(); return sign(k.privateKey as CryptoKey, { alg: "ES256", kid: "", typ: TYP }, claimsOf(a.token)); } },
  { name: "kid not a string", reason: "malformed", token: () => insider(claimsOf(a.token), { kid: 1 }) },
  { name: "kid missing", reason: "malformed", token: () => sign(es256, { alg: "ES256", typ: TYP }, claimsOf(a.token)) },
  { name: "jku to an attacker JWKS, signed by the attacker", reason: "malformed", token: async () => { const k = await attackerKey(); return sign(k.privateKey as CryptoKey, { alg: "ES256", kid: k.pub.kid, typ: TYP, jku: "https://evil.example/jwks.json" }, claimsOf(a.token)); } },
  { name: "x5u to an attacker certificate", reason: "malformed", token: async () => { const k = await attackerKey(); return sign(k.privateKey as CryptoKey, { alg: "ES256", kid: k.pub.kid, typ: TYP, x5u: "https://evil.example/cert.pem" }, claimsOf(a.token)); } },
  { name: "embedded jwk of the attacker's key", reason: "malformed", token: async () => { const k = await attackerKey(); return sign(k.privateKey as CryptoKey, { alg: "ES256", kid: k.pub.kid, typ: TYP, jwk: k.pub }, claimsOf(a.token)); } },
  { name: "embedded jwk with the server's kid", reason: "malformed", token: async () => { const k = await attackerKey(); return sign(k.privateKey as CryptoKey, { alg: "ES256", kid: es256.kid, typ: TYP, jwk: { ...k.pub, kid: es256.kid } }, claimsOf(a.token)); } },
  { name: "x5c chain", reason: "malformed", token: () => insider(claimsOf(a.token), { x5c: ["MIIB"] }) },
  { name: "jku even on a genuinely signed token", reason: "malformed", token: () => insider(claimsOf(a.token), { jku: `${ISSUER}/.well-known/jwks.json` }) },
  { name: "crit header", reason: "malformed", token: () => rawSign({ alg: "ES256", kid: es256.kid, typ: TYP, crit: ["x-tessera"], "x-tessera": 1 }, claimsOf(a.token)) },
  // RFC 8725 §3.11: explicit typing.
  { name: "typ JWT (another kind of token from the same keys)", reason: "malformed", token: () => insider(claimsOf(a.token), { typ: "JWT" }) },
  { name: "typ missing", reason: "malformed", token: () => sign(es256, { alg: "ES256", kid: es256.kid }, claimsOf(a.token)) },
  // RFC 8725 §3.8-3.9: issuer and audience (product/env/tag).
  { name: "a real token of another tag (guest)", reason: "scope", ownSessionValid: true, token: () => guest.token },
  { name: "a real token of another env (prd)", reason: "scope", ownSessionValid: true, token: () => prd.token },
  { name: "a real token of another product", reason: "scope", ownSessionValid: true, token: () => other.token },
  { name: "the victim's JWS under another tag prefix", reason: "scope", token: () => `guest:${jws(a.token)}`, offline: "scope" },
  { name: "another tag's JWS under this tag's prefix", reason: "scope", token: () => `session-tag:${jws(guest.token)}` },
  { name: "claims of another issuer", reason: "scope", token: () => insider({ ...claimsOf(a.token), iss: "https://evil.example" }) },
  // Time claims.
  { name: "expired (exp in the past, another session's)", reason: "expired", token: () => insider({ ...claimsOf(c.token), exp: Math.floor(h.clock.now / 1000) - 1 }) },
  { name: "not yet valid (nbf in the future)", reason: "malformed", token: () => insider({ ...claimsOf(a.token), nbf: Math.floor(h.clock.now / 1000) + 3600 }) },
  { name: "issued in the future (iat an hour ahead)", reason: "malformed", token: () => insider({ ...claimsOf(a.token), iat: Math.floor(h.clock.now / 1000) + 3600, exp: Math.floor(h.clock.now / 1000) + 7200 }) },
  { name: "exp not a number", reason: "malformed", token: () => insider({ ...claimsOf(a.token), exp: "never" }) },
  { name: "exp missing", reason: "malformed", token: () => { const { exp: _e, ...rest } = claimsOf(a.token); return insider(rest); } },
  // Truncated and re-encoded.
  { name: "signature truncated by one character", reason: "malformed", token: () => a.token.slice(0, -1) },
  { name: "signature removed", reason: "signature", token: () => a.token.slice(0, a.token.lastIndexOf(".") + 1) },
  { name: "signature cut to 60 bytes (canonically re-encoded)", reason: "signature", token: () => { const [x, y, z] = segments(a.token); return `session-tag:${x}.${y}.${encodeBase64url(decodeBase64url(z)!.slice(0, 60))}`; } },
  { name: "two segments only", reason: "malformed", token: () => a.token.slice(0, a.token.lastIndexOf(".")) },
  { name: "payload truncated", reason: "signature", token: () => { const [x, y, z] = segments(a.token); return `session-tag:${x}.${y.slice(0, 20)}.${z}`; } },
  { name: "a fourth segment appended", reason: "malformed", token: () => `${a.token}.${segments(a.token)[2]}` },
  { name: "JWE-shaped (five segments)", reason: "malformed", token: () => `${a.token}.x.y` },
  { name: "signature re-encoded with base64 padding", reason: "malformed", token: () => `${a.token}==` },
  { name: "signature re-encoded with the standard base64 alphabet", reason: "malformed", token: async () => {
    // About 1 signature in 15 has neither "-" nor "_" and reads the same in both alphabets; the
    // attack then changes nothing, so take a genuine token whose signature does differ.
    for (let i = 0; i < 100; i++) {
      const token = i === 0 ? a.token : (await h.start({ userId: `alphabet-${i}`, details: { email: "alphabet@x" } })).token;
      const [x, y, z] = segments(token);
      if (/[-_]/.test(z)) return `session-tag:${x}.${y}.${z.replace(/-/g, "+").replace(/_/g, "/")}`;
    }
    throw new Error("no signature with - or _ in 100 tokens");
  } },
  { name: "whitespace inside the signature", reason: "malformed", trackCode: "UNAUTHORIZED", token: () => { const [x, y, z] = segments(a.token); return `session-tag:${x}.${y}.${z.slice(0, 10)} ${z.slice(10)}`; } },
  { name: "non-canonical last character of the signature (same bytes)", reason: "malformed", token: () => {
    const [x, y, z] = segments(a.token);
    // 64 bytes -> 86 characters: the last one carries 4 bits and 2 unused bits; set an unused bit.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(z.at(-1)!);
    return `session-tag:${x}.${y}.${z.slice(0, -1)}${alphabet[last | 1]}`;
  } },
  { name: "payload re-serialised (same claims, other spacing)", reason: "signature", token: () => { const [x, y, z] = segments(a.token); return `session-tag:${x}.${encodeBase64url(utf8(JSON.stringify(json(y), null, 1)))}.${z}`; } },
  { name: "identifier changed in the payload", reason: "signature", token: () => { const [x, y, z] = segments(a.token); return `session-tag:${x}.${enc({ ...json(y), sub: "admin" })}.${z}`; } },
  { name: "sid changed to another session in the payload", reason: "signature", token: () => { const [x, y, z] = segments(a.token); return `session-tag:${x}.${enc({ ...json(y), sid: b.sessionId })}.${z}`; } },
  // Another key.
  { name: "re-signed with an attacker ES256 key under the server's kid", reason: "signature", token: async () => { const k = await attackerKey(); return sign(k.privateKey as CryptoKey, { alg: "ES256", kid: es256.kid, typ: TYP }, claimsOf(a.token)); } },
  { name: "re-signed with an attacker EdDSA key under the server's EdDSA kid", reason: "signature", token: async () => { const k = await attackerKey("EdDSA"); return sign(k.privateKey as CryptoKey, { alg: "EdDSA", kid: eddsa.kid, typ: TYP }, claimsOf(a.token)); } },
  { name: "signed by a key of another deployment (same kid scheme)", reason: "signature", token: async () => { const k = await generateSigningKey(); return sign(k, { alg: "ES256", kid: k.kid, typ: TYP }, claimsOf(a.token)); } },
  // The encrypted data is bound to its session (only the server can tell).
  { name: "another session's encrypted data pasted into the victim's claims", reason: "malformed", offline: "valid", token: () => insider({ ...claimsOf(a.token), dat: claimsOf(b.token).dat }) },
  { name: "another session's sid with the victim's data", reason: "malformed", offline: "valid", token: () => insider({ ...claimsOf(a.token), sid: b.sessionId }) },
  { name: "another session's sid and data with the victim's identifier", reason: "scope", offline: "valid", token: () => insider({ ...claimsOf(a.token), sid: b.sessionId, dat: claimsOf(b.token).dat }) },
  { name: "a session id the store never saw", reason: "not_found", offline: "valid", token: async () => {
    const sid = crypto.randomUUID();
    const dat = await new CompactEncrypt(utf8("{}")).setProtectedHeader({ alg: "dir", enc: "A256GCM", sid }).encrypt(crypto.getRandomValues(new Uint8Array(32)));
    return insider({ ...claimsOf(a.token), sid, dat });
  } },
];

describe("forged and misused session tokens", () => {
  for (const attack of ATTACKS) {
    it(`${attack.name}: server ${attack.reason}, offline ${attack.offline ?? attack.reason}`, async () => {
      const token = await attack.token();
      expect(await serverVerify(token)).toEqual({ valid: false, reason: attack.reason });
      const expectedOffline = attack.offline ?? attack.reason;
      const offlineAnswer = await offline(token);
      if (expectedOffline === "valid") expect(offlineAnswer.valid).toBe(true);
      else expect(offlineAnswer).toEqual({ valid: false, reason: expectedOffline });
      // As a credential: track refuses it with the matching code ...
      const tracked = await h.call("POST", "/v1/sessions/track", { action: "probe" }, { key: null, headers: { authorization: `Session ${token}` } });
      if (attack.ownSessionValid) {
        expect(tracked.status).toBe(202);
      } else {
        expect(tracked.status).toBe(401);
        expect((await tracked.json()).error.code).toBe(attack.trackCode ?? TRACK_CODE[attack.reason]);
      }
      // ... and it does not let a publishable key revoke the victim.
      const revoke = await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: a.sessionId }, { key: PUBLISHABLE_KEY, headers: { "x-session-token": token } });
      expect(revoke.status).toBe(403);
      expect(revoke.body.error.code).toBe("FORBIDDEN");
      // The victim is untouched.
      expect(await serverVerify(a.token)).toMatchObject({ valid: true, sessionId: a.sessionId });
    });
  }

  it("the genuine token passes both verifiers (the attacks above fail for their own reason)", async () => {
    expect(await serverVerify(a.token)).toMatchObject({ valid: true, identifier: SEED_DATA.userId });
    expect(await offline(a.token)).toMatchObject({ valid: true, sessionId: a.sessionId });
    const insiderCopy = await insider(claimsOf(a.token));
    expect(await serverVerify(insiderCopy)).toMatchObject({ valid: true });
  });

  it("an ECDSA signature's (r, n-s) twin verifies, but names the same sid and jti, so revocation covers both", async () => {
    // WebCrypto accepts both s and n-s (ECDSA malleability); token strings are therefore not
    // identities. Revocation and reuse detection key on sid, never on the token string.
    const [x, y, z] = segments(a.token);
    const sig = decodeBase64url(z)!;
    const n = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    const s = BigInt("0x" + [...sig.slice(32)].map((v) => v.toString(16).padStart(2, "0")).join(""));
    const twinS = (n - s).toString(16).padStart(64, "0");
    const twin = new Uint8Array(64);
    twin.set(sig.slice(0, 32));
    twin.set(twinS.match(/../g)!.map((hex) => parseInt(hex, 16)), 32);
    const twinToken = `session-tag:${x}.${y}.${encodeBase64url(twin)}`;
    expect(twinToken).not.toBe(a.token);
    const verdict = await serverVerify(twinToken);
    expect(verdict).toMatchObject({ valid: true, sessionId: a.sessionId });
    const fresh = await h.start({ userId: "twin", details: { email: "t@x" } });
    const [fx, fy, fz] = segments(fresh.token);
    const fsig = decodeBase64url(fz)!;
    const fs = BigInt("0x" + [...fsig.slice(32)].map((v) => v.toString(16).padStart(2, "0")).join(""));
    const ftwin = new Uint8Array(64);
    ftwin.set(fsig.slice(0, 32));
    ftwin.set((n - fs).toString(16).padStart(64, "0").match(/../g)!.map((hex) => parseInt(hex, 16)), 32);
    const freshTwin = `session-tag:${fx}.${fy}.${encodeBase64url(ftwin)}`;
    await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: fresh.sessionId });
    expect(await serverVerify(freshTwin)).toEqual({ valid: false, reason: "revoked" });
  });
});

describe("expired tokens as proof of holding a session", () => {
  it("revoke by sessionId with a publishable key accepts the session's own expired token, and only that session's", async () => {
    const victim = await h.start({ userId: "expired-proof", details: { email: "x@x" } });
    const expired = await insider({ ...claimsOf(victim.token), exp: Math.floor(h.clock.now / 1000) - 60 });
    const foreign = await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: a.sessionId }, { key: PUBLISHABLE_KEY, headers: { "x-session-token": expired } });
    expect(foreign.body.error.code).toBe("FORBIDDEN");
    const own = await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: victim.sessionId }, { key: PUBLISHABLE_KEY, headers: { "x-session-token": expired } });
    expect(own.body).toEqual({ revoked: 1 });
    expect(await serverVerify(a.token)).toMatchObject({ valid: true });
  });
});

describe("a revoked session's still-unexpired token", () => {
  it("is refused by verify (revoked), track (SESSION_REVOKED) and refresh; offline verification cannot know", async () => {
    const victim = await h.start({ userId: "revoked-user", details: { email: "r@x" } });
    const revoked = await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: victim.sessionId });
    expect(revoked.body).toEqual({ revoked: 1 });
    expect(await serverVerify(victim.token)).toEqual({ valid: false, reason: "revoked" });
    const tracked = await h.call("POST", "/v1/sessions/track", { action: "x" }, { key: null, headers: { authorization: `Session ${victim.token}` } });
    expect((await tracked.json()).error.code).toBe("SESSION_REVOKED");
    const refreshed = await h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: victim.refreshToken });
    expect(refreshed.body.error.code).toBe("SESSION_REVOKED");
    // Documented limit (docs/protocol.md): the edge sees signature, expiry and scope only.
    expect(await offline(victim.token)).toMatchObject({ valid: true });
    // Revoking does not spill over to the other sessions of the config.
    expect(await serverVerify(a.token)).toMatchObject({ valid: true });
  });
});

describe("refresh tokens used where they do not belong", () => {
  const refresh = (refreshToken: unknown, scope: object = {}) => h.post("/v1/sessions/refresh", { ...SCOPE, ...scope, refreshToken }, { key: PUBLISHABLE_KEY });

  it("another tag's, env's or product's refresh token, and tokens that were never issued: REFRESH_INVALID", async () => {
    const cases: Array<[string, unknown, object?]> = [
      ["guest refresh token at session-tag", guest.refreshToken],
      ["guest refresh token with its prefix rewritten", `session-tag:${jws(guest.refreshToken)}`],
      ["victim's refresh token with the guest prefix, asked as guest", `guest:${jws(a.refreshToken)}`, { tag: "guest" }],
      ["prd refresh token asked as snd", prd.refreshToken],
      ["snd refresh token asked as prd", a.refreshToken, { env: "prd" }],
      ["other product's refresh token", other.refreshToken],
      ["victim's refresh token asked as other product", a.refreshToken, { product: "other-product" }],
      ["never issued (right shape)", `session-tag:${encodeBase64url(crypto.getRandomValues(new Uint8Array(32)))}`],
      ["truncated", a.refreshToken.slice(0, -2)],
      ["one byte short", `session-tag:${encodeBase64url(decodeBase64url(jws(a.refreshToken))!.slice(0, 31))}`],
      ["padded re-encoding", `${a.refreshToken}=`],
      ["the session token offered as a refresh token", a.token.slice(0, 500)],
      ["the refresh token's hash", "session-tag:" + "A".repeat(43)],
    ];
    for (const [name, token, scope] of cases) {
      const answer = await refresh(token, scope);
      expect(answer.status, name).toBe(401);
      expect(answer.body.error.code, name).toBe("REFRESH_INVALID");
    }
    // None of those touched a session: each still rotates with its own token.
    for (const s of [a, guest, prd]) {
      const scope = s === guest ? { tag: "guest" } : s === prd ? { env: "prd" } : {};
      const rotated = await refresh(s.refreshToken, scope);
      expect(rotated.status).toBe(200);
      Object.assign(s, rotated.body);
    }
  });

  it("another session's refresh token rotates that session, never the caller's", async () => {
    const before = await serverVerify(a.token);
    const answer = await refresh(b.refreshToken);
    expect(answer.status).toBe(200);
    expect(answer.body.sessionId).toBe(b.sessionId);
    expect(answer.body.sessionId).not.toBe(a.sessionId);
    expect((await serverVerify(answer.body.token)).identifier).toBe("someone-else");
    expect(await serverVerify(a.token)).toEqual(before);
    Object.assign(b, answer.body);
  });

  it("a publishable key revokes only what it holds", async () => {
    const byIdentifier = await h.post("/v1/sessions/revoke", { ...SCOPE, identifier: SEED_DATA.userId }, { key: PUBLISHABLE_KEY });
    expect(byIdentifier.body.error.code).toBe("FORBIDDEN");
    const withOtherToken = await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: a.sessionId }, { key: PUBLISHABLE_KEY, headers: { "x-session-token": b.token } });
    expect(withOtherToken.body.error.code).toBe("FORBIDDEN");
    const revokeAll = await h.post("/v1/sessions/revoke-all", { ...SCOPE, identifier: SEED_DATA.userId }, { key: PUBLISHABLE_KEY });
    expect(revokeAll.body.error.code).toBe("FORBIDDEN");
    const startOther = await h.post("/v1/sessions/start", { ...SCOPE, data: SEED_DATA }, { key: PUBLISHABLE_KEY });
    expect(startOther.body.error.code).toBe("FORBIDDEN");
    const wrongScope = await h.post("/v1/sessions/revoke", { ...SCOPE, env: "prd", sessionId: a.sessionId });
    expect(wrongScope.body.error.code).toBe("SESSION_NOT_FOUND");
    expect(await serverVerify(a.token)).toMatchObject({ valid: true });
  });

  it("a rotated refresh token replayed after the grace window revokes the whole session (RFC 9700 §4.14.2)", async () => {
    const victim = await h.start({ userId: "replayed", details: { email: "p@x" } });
    const next = await refresh(victim.refreshToken);
    h.clock.now += 10_001;
    const replay = await refresh(victim.refreshToken);
    expect(replay.body.error.code).toBe("REFRESH_REUSED");
    expect((await refresh(next.body.refreshToken)).body.error.code).toBe("SESSION_REVOKED");
    expect(await serverVerify(next.body.token)).toEqual({ valid: false, reason: "revoked" });
    // The replay revoked that one session only.
    expect(await serverVerify(a.token)).toMatchObject({ valid: true });
  });

  it("an expired refresh token: REFRESH_EXPIRED, and the session cannot be revived", async () => {
    const victim = await h.start({ userId: "expiring", details: { email: "e@x" } });
    h.clock.now += 30 * 86_400_000 + 1;
    expect((await refresh(victim.refreshToken)).body.error.code).toBe("REFRESH_EXPIRED");
    expect((await refresh(victim.refreshToken)).body.error.code).toBe("REFRESH_EXPIRED");
  });
});
