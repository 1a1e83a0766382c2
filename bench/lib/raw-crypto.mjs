// The physical limit of issue 5 part 2: the jose operations one request cannot avoid, done
// with keys imported once (the cheapest way jose can do them), on the same claims and data.
//   start:   ES256 sign of the session claims + JWE dir/A256GCM encrypt of the data
//   refresh: the same + one SHA-256 (the presented refresh token's hash)
//   verify:  ES256 verify + JWE decrypt
import { CompactEncrypt, SignJWT, compactDecrypt, importJWK, jwtVerify } from "jose";
import { ISSUER, SCOPE, SEED_DATA } from "./inprocess.mjs";

const encoder = new TextEncoder();

/** @param {import("jose").JWK} jwk the server's private signing JWK */
export async function rawCrypto(jwk) {
  const privateKey = await importJWK(jwk, "ES256");
  const { d: _d, ...publicJwk } = jwk;
  const publicKey = await importJWK(publicJwk, "ES256");
  const aesKey = await crypto.subtle.importKey("raw", crypto.getRandomValues(new Uint8Array(32)), "AES-GCM", false, ["encrypt", "decrypt"]);
  const sid = crypto.randomUUID();

  const encrypt = () =>
    new CompactEncrypt(encoder.encode(JSON.stringify(SEED_DATA)))
      .setProtectedHeader({ alg: "dir", enc: "A256GCM", typ: "tessera-data", sid })
      .encrypt(aesKey);
  const sign = (dat) =>
    new SignJWT({ sid, ...SCOPE, dat })
      .setProtectedHeader({ alg: "ES256", kid: jwk.kid, typ: "tessera+jwt" })
      .setIssuer(ISSUER)
      .setSubject(SEED_DATA.userId)
      .setIssuedAt()
      .setExpirationTime("15m")
      .setJti("AAAAAAAAAAAAAAAAAAAAAA")
      .sign(privateKey);

  const sample = await sign(await encrypt());
  const headers = { authorization: "Bearer tsk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "content-type": "application/json" };
  const body = JSON.stringify({ ...SCOPE, data: SEED_DATA });
  return {
    // The floor of any fetch handler: the same crypto inside a Request in (body read and
    // parsed) and a JSON Response out (read back), as server.fetch is driven by the bench.
    fetchFloor: async () => {
      const request = new Request(`${ISSUER}/v1/sessions/start`, { method: "POST", headers, body });
      JSON.parse(await request.text());
      const token = await sign(await encrypt());
      const answer = { token, refreshToken: `${SCOPE.tag}:${"A".repeat(43)}`, expiresAt: new Date().toISOString(), sessionId: sid };
      return new Response(JSON.stringify(answer), { status: 201, headers: { "content-type": "application/json; charset=utf-8" } }).json();
    },
    start: async () => sign(await encrypt()),
    refresh: async () => {
      await crypto.subtle.digest("SHA-256", encoder.encode(`${SCOPE.tag}:${"A".repeat(43)}`));
      return sign(await encrypt());
    },
    // What verifySessionToken must do at least: the signature and the claims, no decryption.
    offline: () => jwtVerify(sample, publicKey, { algorithms: ["ES256"], typ: "tessera+jwt" }),
    verify: async () => {
      const { payload } = await jwtVerify(sample, publicKey, { algorithms: ["ES256"], typ: "tessera+jwt" });
      return compactDecrypt(payload.dat, aesKey, { keyManagementAlgorithms: ["dir"], contentEncryptionAlgorithms: ["A256GCM"] });
    },
  };
}
