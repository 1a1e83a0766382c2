/**
 * verifySessionToken fails closed on a missing scope, and session tokens carry an audience that
 * generic JWT libraries (jose, jsonwebtoken) check: a token for one product/env/tag is refused
 * where another is asked for.
 */
import { createPublicKey } from "node:crypto";
import { decodeJwt, importJWK, jwtVerify, SignJWT, type JWK } from "jose";
import jsonwebtoken from "jsonwebtoken";
import { beforeAll, describe, expect, it } from "vitest";
import { isSessionError } from "../../src/shared/errors.js";
import { ANY, sessionAudience, verifySessionToken } from "../../src/verify/index.js";
import { harness, SCOPE, testKeys, type Harness } from "../server/helpers.js";

const ISSUER = "http://127.0.0.1:8787";
let h: Harness;
let jwks: { keys: JWK[] };
let token: string;
let guestToken: string;
let prdToken: string;

const jws = (t: string) => t.slice(t.indexOf(":") + 1);

beforeAll(async () => {
  h = await harness();
  jwks = await (await h.call("GET", "/.well-known/jwks.json")).json();
  token = (await h.start()).token;
  prdToken = (await h.start(undefined, { env: "prd" } as never)).token;
  guestToken = (await h.start({ guestId: "anyone" }, { tag: "guest" } as never)).token;
});

async function invalidArgument(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run();
  } catch (error) {
    if (isSessionError(error) && error.code === "INVALID_ARGUMENT") return error.field;
    throw error;
  }
  return undefined;
}

describe("verifySessionToken: a missing scope is an error at the call, never a wildcard", () => {
  const base = () => ({ jwks, issuer: ISSUER, ...SCOPE, now: h.clock.now });

  it.each(["product", "env", "tag"] as const)("%s undefined (an unset environment variable) throws INVALID_ARGUMENT", async (field) => {
    const env: Record<string, string | undefined> = {}; // e.g. a Worker's env without TESSERA_ENV
    expect(await invalidArgument(() => verifySessionToken(prdToken, { ...base(), [field]: env.TESSERA_ENV } as never))).toBe(field);
    expect(await invalidArgument(() => verifySessionToken(guestToken, { ...base(), [field]: "" } as never))).toBe(field);
    const { [field]: _left, ...without } = base();
    expect(await invalidArgument(() => verifySessionToken(token, without as never))).toBe(field);
  });

  it("issuer missing throws too", async () => {
    expect(await invalidArgument(() => verifySessionToken(token, { ...base(), issuer: undefined } as never))).toBe("issuer");
  });

  it("a prd token at snd and a guest token at session-tag stay refused", async () => {
    expect(await verifySessionToken(prdToken, base())).toEqual({ valid: false, reason: "scope" });
    expect(await verifySessionToken(guestToken, base())).toEqual({ valid: false, reason: "scope" });
  });

  it("ANY is the explicit wildcard, and the answer names the scope it matched", async () => {
    const anyEnv = await verifySessionToken(prdToken, { ...base(), env: ANY });
    expect(anyEnv).toMatchObject({ valid: true, env: "prd", tag: SCOPE.tag });
    const anyTag = await verifySessionToken(guestToken, { ...base(), tag: ANY });
    expect(anyTag).toMatchObject({ valid: true, tag: "guest", identifier: "guest:anyone" });
    // The string "*" is not a wildcard: it names a tag that does not exist.
    expect(await verifySessionToken(guestToken, { ...base(), tag: "*" })).toEqual({ valid: false, reason: "scope" });
  });
});

describe("aud: the session config, checked by us and by generic JWT libraries", () => {
  it("is <product>/<env>/<tag> and consistent with the scope claims", () => {
    expect(decodeJwt(jws(token)).aud).toBe("my-product-tag/snd/session-tag");
    expect(decodeJwt(jws(prdToken)).aud).toBe(sessionAudience({ ...SCOPE, env: "prd" }));
  });

  it("jose's jwtVerify with an audience accepts the right one and refuses the others", async () => {
    const key = await importJWK(jwks.keys[0]!, jwks.keys[0]!.alg);
    const options = { issuer: ISSUER, algorithms: ["ES256"], typ: "tessera+jwt", currentDate: new Date(h.clock.now) };
    const { payload } = await jwtVerify(jws(token), key, { ...options, audience: sessionAudience(SCOPE) });
    expect(payload.sub).toBe("1919102009383");
    await expect(jwtVerify(jws(prdToken), key, { ...options, audience: sessionAudience(SCOPE) })).rejects.toThrow(/aud/);
    await expect(jwtVerify(jws(guestToken), key, { ...options, audience: sessionAudience(SCOPE) })).rejects.toThrow(/aud/);
  });

  it("jsonwebtoken (the docs' example) verifies with an audience", () => {
    const publicKey = createPublicKey({ key: jwks.keys[0] as never, format: "jwk" });
    const options = { algorithms: ["ES256" as const], issuer: ISSUER, audience: "my-product-tag/snd/session-tag", clockTimestamp: Math.floor(h.clock.now / 1000) };
    const claims = jsonwebtoken.verify(token.slice(token.indexOf(":") + 1), publicKey, options) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: "1919102009383", product: "my-product-tag", env: "snd", tag: "session-tag" });
    expect(() => jsonwebtoken.verify(jws(prdToken), publicKey, options)).toThrow(/audience/);
  });

  it("a token without aud, or whose aud disagrees with its scope claims, is refused (signed with the real key)", async () => {
    const [signing] = await testKeys();
    const key = await importJWK(signing!, signing!.alg);
    const claims = decodeJwt(jws(token));
    const sign = (payload: Record<string, unknown>) =>
      new SignJWT(payload).setProtectedHeader({ alg: signing!.alg!, kid: signing!.kid, typ: "tessera+jwt" }).sign(key);
    const { aud: _aud, ...withoutAud } = claims;
    for (const payload of [withoutAud, { ...claims, aud: "my-product-tag/prd/session-tag" }, { ...claims, aud: [claims.aud] }]) {
      const forged = `session-tag:${await sign(payload)}`;
      expect(await verifySessionToken(forged, { jwks, issuer: ISSUER, ...SCOPE, now: h.clock.now })).toEqual({ valid: false, reason: "malformed" });
      expect((await h.post("/v1/sessions/verify", { ...SCOPE, token: forged })).body).toEqual({ valid: false, reason: "malformed" });
    }
  });
});
