import { describe, expect, it } from "vitest";
import { generateAccessKey } from "../../src/server/index.js";
import { harness, PRODUCTS, SCOPE, SECRET_KEY } from "./helpers.js";

// GET /v1/users and /v1/users/{id}/activity with product, env and tag left out: every product
// and env the key reaches, one row per identifier.
const SCOPED = generateAccessKey("secret");
const MAIN = PRODUCTS[0]!;
// A second session config of the same product with the same identifier rule (public tags namespace theirs).
const WITH_SECOND = { ...MAIN, sessions: [...MAIN.sessions, { ...MAIN.sessions[0]!, tag: "second" }] };
const OTHER = { tag: "other-product", envs: ["snd", "prd"], sessions: [MAIN.sessions[0]!] };

async function seeded() {
  const h = await harness({
    products: [WITH_SECOND, OTHER],
    accessKeys: { secret: [SECRET_KEY, { key: SCOPED, products: [SCOPE.product], envs: ["snd"] }] },
  });
  // h.start's scope is typed for the seed product only.
  const start = (id: string, scope: Record<string, string> = {}) => h.start({ userId: id, details: { email: `${id}@x` } }, scope as never);
  await start("a");
  h.clock.now += 1000;
  await start("a", { tag: "second" });
  h.clock.now += 1000;
  await start("a", { env: "prd" });
  h.clock.now += 1000;
  await start("a", { product: OTHER.tag });
  h.clock.now += 1000;
  await start("elsewhere", { product: OTHER.tag, env: "prd" });
  return h;
}

const ids = (body: any) => body.users.map((u: any) => `${u.identifier}:${u.totalSessions}`);

describe("GET /v1/users with an optional scope", () => {
  it("merges a user seen under several tags, envs and products into one row", async () => {
    const h = await seeded();
    const all = await h.get("/v1/users", {});
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 2, truncated: false });
    expect(ids(all.body)).toEqual(["elsewhere:1", "a:4"]);
    expect(all.body.users[1]).toMatchObject({ activeSessions: 4, firstSeen: new Date(h.clock.now - 4000).toISOString(), lastSeen: new Date(h.clock.now - 1000).toISOString() });
    expect(ids((await h.get("/v1/users", { product: SCOPE.product, env: "snd" })).body)).toEqual(["a:2"]);
    expect(ids((await h.get("/v1/users", { ...SCOPE })).body)).toEqual(["a:1"]);
    expect(ids((await h.get("/v1/users", { tag: "second" })).body)).toEqual(["a:1"]);
    expect(ids((await h.get("/v1/users", { env: "prd" })).body)).toEqual(["elsewhere:1", "a:1"]);
    expect(ids((await h.get("/v1/users", { product: OTHER.tag })).body)).toEqual(["elsewhere:1", "a:1"]);
    expect(ids((await h.get("/v1/users", { search: "els" })).body)).toEqual(["elsewhere:1"]);
  });

  it("keeps a scoped key inside its products and envs", async () => {
    const h = await seeded();
    const key = { key: SCOPED };
    expect(ids((await h.get("/v1/users", {}, key)).body)).toEqual(["a:2"]);
    expect(ids((await h.get("/v1/users", { product: SCOPE.product }, key)).body)).toEqual(["a:2"]);
    expect(ids((await h.get("/v1/users", { search: "els" }, key)).body)).toEqual([]);
    for (const [query, field] of [[{ product: OTHER.tag }, "product"], [{ env: "prd" }, "env"], [{ product: SCOPE.product, env: "prd" }, "env"]] as const) {
      const refused = await h.get("/v1/users", query, key);
      expect({ status: refused.status, code: refused.body.error.code, field: refused.body.error.field }).toEqual({ status: 403, code: "FORBIDDEN", field });
    }
  });

  it("answers 404 naming what is not configured", async () => {
    const h = await seeded();
    const cases = [
      [{ product: "nope" }, "PRODUCT_NOT_FOUND"],
      [{ env: "nope" }, "ENV_NOT_FOUND"],
      [{ product: OTHER.tag, env: "dev" }, "ENV_NOT_FOUND"],
      [{ tag: "nope" }, "TAG_NOT_FOUND"],
      [{ product: OTHER.tag, tag: "second" }, "TAG_NOT_FOUND"],
      [{ env: "dev", tag: "nope" }, "TAG_NOT_FOUND"],
    ] as const;
    for (const [query, code] of cases) {
      const { status, body } = await h.get("/v1/users", query);
      expect({ query, status, code: body.error.code }).toEqual({ query, status: 404, code });
    }
    expect((await h.get("/v1/users", { product: "" })).status).toBe(400);
  });
});

describe("GET /v1/users/{identifier}/activity with an optional scope", () => {
  it("lists the timeline across products and envs the key reaches, oldest first", async () => {
    const h = await seeded();
    const where = (body: any) => body.events.map((e: any) => `${e.product}/${e.env}/${e.tag}`);
    const all = await h.get("/v1/users/a/activity", {});
    expect(all.status).toBe(200);
    expect(where(all.body)).toEqual([
      `${SCOPE.product}/snd/session-tag`, `${SCOPE.product}/snd/second`, `${SCOPE.product}/prd/session-tag`, `${OTHER.tag}/snd/session-tag`,
    ]);
    expect(where((await h.get("/v1/users/a/activity", { tag: "second" })).body)).toEqual([`${SCOPE.product}/snd/second`]);
    expect(where((await h.get("/v1/users/a/activity", { env: "snd" })).body)).toEqual([
      `${SCOPE.product}/snd/session-tag`, `${SCOPE.product}/snd/second`, `${OTHER.tag}/snd/session-tag`,
    ]);
    const scoped = await h.get("/v1/users/a/activity", {}, { key: SCOPED });
    expect(where(scoped.body)).toEqual([`${SCOPE.product}/snd/session-tag`, `${SCOPE.product}/snd/second`]);
    expect((await h.get("/v1/users/a/activity", { product: OTHER.tag }, { key: SCOPED })).status).toBe(403);
  });
});
