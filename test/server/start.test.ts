import { describe, expect, it } from "vitest";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { harness, PUBLISHABLE_KEY, SCOPE, SEED_DATA } from "./helpers.js";

describe("POST /v1/sessions/start", () => {
  it("answers the seed call with a token that starts with session-tag:eyJ", async () => {
    const h = await harness();
    const { status, body } = await h.post("/v1/sessions/start", { ...SCOPE, data: SEED_DATA });
    expect(status).toBe(201);
    expect(body.token.startsWith("session-tag:eyJ")).toBe(true);
    expect(body.refreshToken).toMatch(/^session-tag:[A-Za-z0-9_-]{43}$/);
    expect(body.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(body.expiresAt).getTime() - h.clock.now).toBe(15 * 60_000);
    expect(body.refreshExpiresAt).toBe(new Date(h.clock.now + 30 * 86_400_000).toISOString());
  });

  it("signs ES256 with kid and typ, carries the claims and encrypts data", async () => {
    const h = await harness();
    const { token, sessionId } = await h.start();
    const jws = token.slice("session-tag:".length);
    const header = decodeProtectedHeader(jws);
    expect(header).toMatchObject({ alg: "ES256", typ: "tessera+jwt" });
    expect(typeof header.kid).toBe("string");
    const claims = decodeJwt(jws);
    expect(claims).toMatchObject({ sid: sessionId, sub: "1919102009383", product: "my-product-tag", env: "snd", tag: "session-tag", iss: "http://127.0.0.1:8787" });
    expect(typeof claims.jti).toBe("string");
    expect(claims.exp! - claims.iat!).toBe(900);
    // The data is a JWE: five parts, and nothing of the plaintext shows.
    expect(String(claims.dat).split(".")).toHaveLength(5);
    expect(token).not.toContain("feekayo");
    expect(atob(String(claims.dat).split(".")[0]!.replace(/-/g, "+").replace(/_/g, "/"))).toContain(sessionId);
  });

  it("refuses data that does not match the schema, naming the field", async () => {
    const h = await harness();
    const cases: Array<[unknown, string]> = [
      [{ details: { email: "a@b" } }, "data.userId"],
      [{ userId: 12, details: { email: "a@b" } }, "data.userId"],
      [{ userId: "u", details: { email: "a@b", phone: "1" } }, "data.details.phone"],
      [{ userId: "u" }, "data.details"],
      ["a string", "data"],
    ];
    for (const [data, field] of cases) {
      const { status, body } = await h.post("/v1/sessions/start", { ...SCOPE, data });
      expect(status, JSON.stringify(data)).toBe(400);
      expect(body.error).toMatchObject({ code: "INVALID_ARGUMENT", field });
    }
    const missing = await h.post("/v1/sessions/start", { ...SCOPE });
    expect(missing.body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "data" });
  });

  it("answers 404 for an unknown product, env or tag", async () => {
    const h = await harness();
    const codes = [
      [{ product: "nope" }, "PRODUCT_NOT_FOUND"],
      [{ env: "staging" }, "ENV_NOT_FOUND"],
      [{ tag: "other" }, "TAG_NOT_FOUND"],
    ] as const;
    for (const [override, code] of codes) {
      const { status, body } = await h.post("/v1/sessions/start", { ...SCOPE, ...override, data: SEED_DATA });
      expect(status).toBe(404);
      expect(body.error.code).toBe(code);
    }
  });

  it("needs a key (401), a valid key (401), and a secret key unless the tag is public (403)", async () => {
    const h = await harness();
    const body = { ...SCOPE, data: SEED_DATA };
    expect((await h.post("/v1/sessions/start", body, { key: null })).status).toBe(401);
    const wrong = await h.call("POST", "/v1/sessions/start", body, { key: "tsk_" + "A".repeat(43) });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain("Bearer");
    const pub = await h.post("/v1/sessions/start", body, { key: PUBLISHABLE_KEY });
    expect(pub.status).toBe(403);
    expect(pub.body.error.code).toBe("FORBIDDEN");
    const guest = await h.post("/v1/sessions/start", { ...SCOPE, tag: "guest", data: { guestId: "g1" } }, { key: PUBLISHABLE_KEY });
    expect(guest.status).toBe(201);
    expect(guest.body.token.startsWith("guest:eyJ")).toBe(true);
  });

  it("answers 415 for a non-JSON body, 400 for broken JSON, 413 past the body limit", async () => {
    const h = await harness({ maxBodyBytes: 2048 });
    const form = await h.call("POST", "/v1/sessions/start", "a=b", { headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(form.status).toBe(415);
    expect((await form.json()).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    const broken = await h.call("POST", "/v1/sessions/start", "{not json");
    expect(broken.status).toBe(400);
    expect((await broken.json()).error.code).toBe("INVALID_JSON");
    const array = await h.call("POST", "/v1/sessions/start", "[1,2]");
    expect(array.status).toBe(400);
    const big = await h.call("POST", "/v1/sessions/start", { ...SCOPE, data: { userId: "x".repeat(5000) } });
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(h.errors).toEqual([]);
  });

  it("answers 404 for unknown paths and 405 with Allow for a wrong method", async () => {
    const h = await harness();
    const unknown = await h.call("GET", "/v1/nothing");
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe("NOT_FOUND");
    const wrong = await h.call("GET", "/v1/sessions/start");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    const put = await h.call("PUT", "/v1/sessions");
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("Idempotency-Key on start", () => {
  it("returns the same session for the same key and body, 409 for another body", async () => {
    const h = await harness();
    const headers = { "idempotency-key": "order-42" };
    const first = await h.post("/v1/sessions/start", { ...SCOPE, data: SEED_DATA }, { headers });
    // Same body with keys in another order is the same body.
    const reordered = { data: { details: { email: SEED_DATA.details.email, username: "feekayo" }, userId: SEED_DATA.userId }, ...SCOPE };
    const again = await h.post("/v1/sessions/start", reordered, { headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const other = await h.post("/v1/sessions/start", { ...SCOPE, data: { ...SEED_DATA, userId: "2" } }, { headers });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("IDEMPOTENCY_CONFLICT");
    const listed = await h.get("/v1/sessions", { ...SCOPE });
    expect(listed.body.total).toBe(1);
  });

  it("forgets the key after 24 hours and refuses a replay once the session rotated", async () => {
    const h = await harness();
    const headers = { "idempotency-key": "k-1" };
    const first = await h.post("/v1/sessions/start", { ...SCOPE, data: SEED_DATA }, { headers });
    await h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: first.body.refreshToken });
    const replay = await h.post("/v1/sessions/start", { ...SCOPE, data: SEED_DATA }, { headers });
    expect(replay.status).toBe(409);
    h.clock.now += 24 * 3_600_000 + 1;
    const fresh = await h.post("/v1/sessions/start", { ...SCOPE, data: SEED_DATA }, { headers });
    expect(fresh.status).toBe(201);
    expect(fresh.body.sessionId).not.toBe(first.body.sessionId);
  });

  it("scopes keys per access key and runs concurrent duplicates into one session", async () => {
    const h = await harness();
    const headers = { "idempotency-key": "same" };
    const answers = await Promise.all(Array.from({ length: 10 }, () => h.post("/v1/sessions/start", { ...SCOPE, data: SEED_DATA }, { headers })));
    const created = answers.filter((a) => a.status === 201);
    expect(new Set(created.map((a) => a.body.sessionId)).size).toBe(1);
    for (const a of answers) expect([201, 409]).toContain(a.status);
    const guest = await h.post("/v1/sessions/start", { ...SCOPE, tag: "guest", data: { guestId: "g" } }, { key: PUBLISHABLE_KEY, headers });
    expect(guest.status).toBe(201);
  });
});
