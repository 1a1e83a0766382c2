/** The DPoP proof helpers shared by client and server, against jose as an independent implementation. */
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, SignJWT, exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { checkDpopProof } from "../../src/shared/dpop/check-proof.js";
import { createDpopProof } from "../../src/shared/dpop/create-proof.js";
import { jwkThumbprint, tokenHash } from "../../src/shared/dpop/thumbprint.js";

const NOW = 1_800_000_000;
const URL_ = "https://auth.example/v1/sessions/verify";

async function pair() {
  const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
  const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", keys.publicKey);
  return { keys, jwk: { kty, crv, x, y } as { kty: "EC"; crv: "P-256"; x: string; y: string } };
}

describe("DPoP proofs (RFC 9449) and thumbprints (RFC 7638)", () => {
  it("computes the same thumbprint as jose and makes proofs jose verifies with the embedded key", async () => {
    const { keys, jwk } = await pair();
    expect(await jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk, "sha256"));
    const proof = await createDpopProof(keys.privateKey, jwk, { htm: "POST", htu: `${URL_}?q=1#f`, token: "t:abc", iat: NOW, nonce: "n1" });
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: "dpop+jwt", algorithms: ["ES256"], currentDate: new Date(NOW * 1000) });
    expect(protectedHeader.jwk).toEqual(jwk);
    expect(payload).toMatchObject({ htm: "POST", htu: URL_, iat: NOW, ath: await tokenHash("t:abc"), nonce: "n1" });
    expect(await checkDpopProof(proof, { htm: "POST", htu: [URL_], token: "t:abc", now: NOW })).toMatchObject({ valid: true, jkt: await jwkThumbprint(jwk), nonce: "n1" });
  });

  it("refuses proofs that are not ES256 dpop+jwt with a public P-256 jwk", async () => {
    const { keys, jwk } = await pair();
    const expect_ = { htm: "POST", htu: [URL_], now: NOW };
    const signed = (header: Record<string, unknown>, key: CryptoKey = keys.privateKey) =>
      new SignJWT({ jti: "0123456789abcdef", htm: "POST", htu: URL_, iat: NOW }).setProtectedHeader({ alg: "ES256", ...header } as never).sign(key);
    expect(await checkDpopProof(await signed({ typ: "dpop+jwt", jwk }), expect_)).toMatchObject({ valid: true });
    expect(await checkDpopProof(await signed({ typ: "JWT", jwk }), expect_)).toMatchObject({ valid: false, problem: expect.stringMatching(/typ/) });
    expect(await checkDpopProof(await signed({ typ: "dpop+jwt", jwk: { ...jwk, d: "AAAA" } }), expect_)).toMatchObject({ valid: false });
    expect(await checkDpopProof(await signed({ typ: "dpop+jwt" }), expect_)).toMatchObject({ valid: false, problem: expect.stringMatching(/jwk/) });
    // Signed by one key, claiming another: the signature does not verify.
    const other = await pair();
    expect(await checkDpopProof(await signed({ typ: "dpop+jwt", jwk: other.jwk }), expect_)).toMatchObject({ valid: false, problem: expect.stringMatching(/signature/) });
    // An Ed25519 or HS256 proof is refused by alg before any key is looked at.
    const ed = await generateKeyPair("EdDSA");
    const edProof = await new SignJWT({ jti: "0123456789abcdef", htm: "POST", htu: URL_, iat: NOW }).setProtectedHeader({ alg: "EdDSA", typ: "dpop+jwt", jwk: await exportJWK(ed.publicKey) }).sign(ed.privateKey);
    expect(await checkDpopProof(edProof, expect_)).toMatchObject({ valid: false, problem: expect.stringMatching(/alg/) });
    const [h, p] = (await signed({ typ: "dpop+jwt", jwk })).split(".");
    expect(await checkDpopProof(`${h}.${p}.`, expect_)).toMatchObject({ valid: false });
    expect(await checkDpopProof(42, expect_)).toMatchObject({ valid: false });
    expect(await checkDpopProof("a".repeat(5000), expect_)).toMatchObject({ valid: false });
  });

  it("compares htu without query or fragment, and htm exactly", async () => {
    const { keys, jwk } = await pair();
    const proof = await createDpopProof(keys.privateKey, jwk, { htm: "POST", htu: URL_, iat: NOW });
    expect(await checkDpopProof(proof, { htm: "POST", htu: [`${URL_}?x=1`], now: NOW })).toMatchObject({ valid: true });
    expect(await checkDpopProof(proof, { htm: "post", htu: [URL_], now: NOW })).toMatchObject({ valid: false });
    expect(await checkDpopProof(proof, { htm: "POST", htu: ["https://auth.example/v1/sessions/verify/"], now: NOW })).toMatchObject({ valid: false });
    expect(await checkDpopProof(proof, { htm: "POST", htu: ["http://auth.example/v1/sessions/verify"], now: NOW })).toMatchObject({ valid: false });
  });
});
