/**
 * What a key may reach and what it gets back: data only to secret keys unless the config opts
 * in, guest identifiers apart from real ones, no idempotent replay between browsers sharing the
 * publishable key, and access keys scoped to products and envs.
 */
import { describe, expect, it } from "vitest";
import { generateAccessKey, keysFromEnv, type SessionServerOptions } from "../../src/server/index.js";
import { isSessionError } from "../../src/shared/errors.js";
import { harness, PRODUCTS, PUBLISHABLE_KEY, SCOPE, SECRET_KEY, SEED_DATA } from "../server/helpers.js";

const GUEST = { ...SCOPE, tag: "guest" };

describe("verify returns data only to secret keys by default", () => {
  it("a publishable key and a token: no data; with exposeData: true, the data", async () => {
    const h = await harness();
    const started = await h.start();
    const published = await h.post("/v1/sessions/verify", { ...SCOPE, token: started.token }, { key: PUBLISHABLE_KEY });
    expect(published.body).toMatchObject({ valid: true, sessionId: started.sessionId });
    expect(published.body).not.toHaveProperty("data");
    expect((await h.post("/v1/sessions/verify", { ...SCOPE, token: started.token })).body.data).toEqual(SEED_DATA);

    const products = structuredClone(PRODUCTS) as SessionServerOptions["products"];
    products[0]!.sessions[0]!.exposeData = true;
    const opted = await harness({ products });
    const mine = await opted.start();
    const answer = await opted.post("/v1/sessions/verify", { ...SCOPE, token: mine.token }, { key: PUBLISHABLE_KEY });
    expect(answer.body.data).toEqual(SEED_DATA);
  });
});

describe("guest identifiers never equal a real one", () => {
  it("a guest named after a user gets guest:<name>, and cannot write into the user's timeline", async () => {
    const h = await harness();
    const victim = await h.start();
    // The guest config's selector is guestId; the attacker names the victim's identifier.
    const guest = await h.post("/v1/sessions/start", { ...GUEST, data: { guestId: SEED_DATA.userId } }, { key: PUBLISHABLE_KEY });
    expect(guest.status).toBe(201);
    const verified = await h.post("/v1/sessions/verify", { ...GUEST, token: guest.body.token });
    expect(verified.body.identifier).toBe(`guest:${SEED_DATA.userId}`);
    const tracked = await h.post("/v1/sessions/track", { action: "spoofed" }, { key: null, headers: { authorization: `Session ${guest.body.token}` } });
    expect(tracked.status).toBe(202);
    const timeline = await h.get(`/v1/users/${SEED_DATA.userId}/activity`, { product: SCOPE.product, env: SCOPE.env });
    expect(timeline.body.events.map((e: { sessionId: string }) => e.sessionId)).toEqual([victim.sessionId]);
    expect(timeline.body.events.some((e: { action?: string }) => e.action === "spoofed")).toBe(false);
  });

  it("a real identifier may not start with guest:", async () => {
    const h = await harness();
    const answer = await h.post("/v1/sessions/start", { ...SCOPE, data: { ...SEED_DATA, userId: "guest:1919102009383" } });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "data.userId" });
  });
});

describe("idempotent start never replays to another publishable-key caller", () => {
  it("two browsers, one publishable key, the same Idempotency-Key and body: two sessions, two token pairs", async () => {
    const h = await harness();
    const headers = { "idempotency-key": "visit-1" };
    const body = { ...GUEST, data: { guestId: "shared" } };
    const first = await h.post("/v1/sessions/start", body, { key: PUBLISHABLE_KEY, headers });
    const second = await h.post("/v1/sessions/start", body, { key: PUBLISHABLE_KEY, headers });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.sessionId).not.toBe(first.body.sessionId);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
    // Secret keys keep replaying (a backend retrying its own lost answer).
    const a = await h.post("/v1/sessions/start", { ...SCOPE, data: SEED_DATA }, { headers });
    const b = await h.post("/v1/sessions/start", { ...SCOPE, data: SEED_DATA }, { headers });
    expect(b.body.sessionId).toBe(a.body.sessionId);
  });
});

describe("access keys scoped to products and envs", () => {
  const SHOP_KEY = generateAccessKey("secret");
  const PRD_KEY = generateAccessKey("secret");
  const SHOP_PUBLISHABLE = generateAccessKey("publishable");
  const products: SessionServerOptions["products"] = [
    ...PRODUCTS,
    { tag: "shop", envs: ["snd", "prd"], sessions: [{ tag: "buyer", schema: { id: "string" }, selector: "$Session{id}", expiry: 15, period: "mins", public: true }] },
  ];
  const options = (): Partial<SessionServerOptions> => ({
    products,
    accessKeys: {
      secret: [SECRET_KEY, { key: SHOP_KEY, products: ["shop"] }, { key: PRD_KEY, products: ["shop", "my-product-tag"], envs: ["prd"] }],
      publishable: [{ key: SHOP_PUBLISHABLE, products: ["shop"] }],
    },
  });
  const SHOP = { product: "shop", env: "snd", tag: "buyer" };

  it("a shop key reaches shop, and gets 403 FORBIDDEN naming the product everywhere else", async () => {
    const h = await harness(options());
    const shop = await h.post("/v1/sessions/start", { ...SHOP, data: { id: "b1" } }, { key: SHOP_KEY });
    expect(shop.status).toBe(201);
    const other = await h.start(); // the global key reaches every product
    const calls: Array<Promise<{ status: number; body: any }>> = [
      h.post("/v1/sessions/start", { ...SCOPE, data: SEED_DATA }, { key: SHOP_KEY }),
      h.post("/v1/sessions/verify", { ...SCOPE, token: other.token }, { key: SHOP_KEY }),
      h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: other.refreshToken }, { key: SHOP_KEY }),
      h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: other.sessionId }, { key: SHOP_KEY }),
      h.post("/v1/sessions/revoke-all", { ...SCOPE, identifier: SEED_DATA.userId }, { key: SHOP_KEY }),
      h.get("/v1/sessions", { ...SCOPE }, { key: SHOP_KEY }),
      h.get("/v1/users", { ...SCOPE }, { key: SHOP_KEY }),
      h.get(`/v1/users/${SEED_DATA.userId}/activity`, { product: SCOPE.product, env: SCOPE.env }, { key: SHOP_KEY }),
      h.post("/v1/sessions/start", { ...SCOPE, tag: "guest", data: { guestId: "g" } }, { key: SHOP_PUBLISHABLE }),
      h.post("/v1/sessions/track", { action: "x" }, { key: null, headers: { authorization: `Bearer ${SHOP_KEY}`, "x-session-token": other.token } }),
    ];
    const answers = await Promise.all(calls);
    expect(answers.map((a) => [a.status, a.body.error?.code])).toEqual(answers.map(() => [403, "FORBIDDEN"]));
    expect(answers[0]!.body.error.message).toContain('product "my-product-tag"');
    // Nothing moved: the other product's session is alive and unrotated.
    expect((await h.post("/v1/sessions/verify", { ...SCOPE, token: other.token })).body.valid).toBe(true);
    expect((await h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: other.refreshToken })).status).toBe(200);
  });

  it("a key scoped to env prd reaches prd of its products, not snd", async () => {
    const h = await harness(options());
    expect((await h.post("/v1/sessions/start", { ...SCOPE, env: "prd", data: SEED_DATA }, { key: PRD_KEY })).status).toBe(201);
    const snd = await h.post("/v1/sessions/start", { ...SCOPE, data: SEED_DATA }, { key: PRD_KEY });
    expect([snd.status, snd.body.error.code, snd.body.error.field]).toEqual([403, "FORBIDDEN", "env"]);
  });

  it("refuses scopes naming unknown products or envs at creation, never echoing the key", async () => {
    const bad = [
      { secret: [{ key: SHOP_KEY, products: ["nope"] }] },
      { secret: [{ key: SHOP_KEY, products: [] }] },
      { secret: [{ key: SHOP_KEY, products: ["shop"], envs: ["dev"] }] },
      { secret: [{ key: "tsk_short", products: ["shop"] }] },
    ];
    for (const accessKeys of bad) {
      let message = "";
      try {
        await harness({ products, accessKeys: accessKeys as never });
      } catch (error) {
        message = isSessionError(error) ? `${error.code} ${error.message}` : String(error);
      }
      expect(message).toMatch(/^INVALID_CONFIG accessKeys\.secret\[0\]/);
      expect(message).not.toContain(SHOP_KEY);
    }
  });

  it("keysFromEnv reads key@products/envs", () => {
    const env = {
      TESSERA_SIGNING_KEYS: '[{"kty":"OKP"}]',
      TESSERA_SECRET: "s".repeat(43),
      TESSERA_SECRET_KEYS: `${SECRET_KEY}, ${SHOP_KEY}@shop, ${PRD_KEY}@shop|my-product-tag/prd`,
      TESSERA_PUBLISHABLE_KEYS: `${SHOP_PUBLISHABLE}@shop`,
    };
    expect(keysFromEnv(env).accessKeys).toEqual({
      secret: [SECRET_KEY, { key: SHOP_KEY, products: ["shop"] }, { key: PRD_KEY, products: ["shop", "my-product-tag"], envs: ["prd"] }],
      publishable: [{ key: SHOP_PUBLISHABLE, products: ["shop"] }],
    });
    expect(() => keysFromEnv({ ...env, TESSERA_SECRET_KEYS: `${SHOP_KEY}@` })).toThrow(/TESSERA_SECRET_KEYS/);
  });
});
