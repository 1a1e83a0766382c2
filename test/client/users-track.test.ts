/**
 * sessions.track, users.list and users.activity against the real endpoint in process, and
 * the argument checks that answer before any request.
 */
import { afterEach, describe, expect, it } from "vitest";
import { isSessionError } from "../../src/index.js";
import { generateAccessKey } from "../../src/server/index.js";
import { closeClients, harness, harnessClient, PRODUCTS, PUBLISHABLE_KEY, SCOPE, SECRET_KEY, SEED_DATA } from "../server/helpers.js";
import { rejection } from "../support/rejection.js";

afterEach(closeClients);

const seed = (userId: string) => ({ ...SEED_DATA, userId, details: { email: `${userId}@example.com` } });

describe("sessions.track", () => {
  it("records an action in the stored session's timeline with only a publishable key", async () => {
    const h = await harness();
    const backend = harnessClient(h);
    const tokens = await backend.sessions.start({ tag: SCOPE.tag, data: seed("u-1"), persist: false });
    const requests: string[] = [];
    const browser = harnessClient(h, {
      accessKey: PUBLISHABLE_KEY,
      fetch: (request) => (requests.push(`${request.method} ${new URL(request.url).pathname}`), h.server.fetch(request)),
    });
    await browser.sessions.adopt({ tag: SCOPE.tag, ...tokens });
    const at = new Date(h.clock.now - 60_000);
    await browser.sessions.track({ tag: SCOPE.tag, action: "checkout", data: { cart: 3 }, at });
    await browser.sessions.track({ tag: SCOPE.tag, action: "view" });
    expect(requests).toEqual(["POST /v1/sessions/track", "POST /v1/sessions/track"]);
    const timeline = await backend.users.activity({ identifier: "u-1", operation: "track" });
    expect(timeline.events.map((e) => [e.action, e.data, e.startAt])).toEqual([
      ["checkout", { cart: 3 }, at.toISOString()],
      ["view", undefined, new Date(h.clock.now).toISOString()],
    ]);
  });

  it("checks its arguments, and needs a stored session, before any request", async () => {
    const h = await harness();
    let requests = 0;
    const client = harnessClient(h, { fetch: (r) => (requests++, h.server.fetch(r)) });
    const code = async (p: Promise<unknown>) => {
      const e = await rejection(p);
      return isSessionError(e) ? `${e.code} ${e.field ?? ""}`.trim() : String(e);
    };
    expect(await code(client.sessions.track({ tag: SCOPE.tag, action: "" }))).toBe("INVALID_ARGUMENT action");
    expect(await code(client.sessions.track({ tag: SCOPE.tag, action: "a", data: [1] as never }))).toBe("INVALID_ARGUMENT data");
    expect(await code(client.sessions.track({ tag: SCOPE.tag, action: "a", at: new Date(NaN) }))).toBe("INVALID_ARGUMENT at");
    expect(await code(client.sessions.track({ tag: SCOPE.tag, action: "a", at: 5 as never }))).toBe("INVALID_ARGUMENT at");
    expect(await code(client.sessions.track({ tag: "bad:tag", action: "a" }))).toBe("INVALID_ARGUMENT tag");
    expect(await code(client.sessions.track({ tag: SCOPE.tag, action: "a" }))).toBe("SESSION_NOT_FOUND");
    expect(requests).toBe(0);
  });

  it("is refused by the server for an `at` in the future or older than 7 days", async () => {
    const h = await harness();
    const client = harnessClient(h);
    await client.sessions.start({ tag: SCOPE.tag, data: seed("u-2") });
    for (const at of [new Date(h.clock.now + 3_600_000), new Date(h.clock.now - 8 * 86_400_000), "yesterday"]) {
      const e = await rejection(client.sessions.track({ tag: SCOPE.tag, action: "a", at }));
      expect(e).toMatchObject({ code: "INVALID_ARGUMENT", field: "at" });
    }
  });
});

describe("users.list and users.activity", () => {
  it("lists users with search and active filters, paged", async () => {
    const h = await harness();
    const client = harnessClient(h);
    for (const id of ["alice", "alina", "bob"]) {
      await client.sessions.start({ tag: SCOPE.tag, data: seed(id), persist: false });
      h.clock.now += 1000;
    }
    await client.sessions.revokeAll({ tag: SCOPE.tag, identifier: "alina" });
    const all = await client.users.list({ tag: SCOPE.tag });
    expect(all.users.map((u) => u.identifier)).toEqual(["alina", "bob", "alice"]);
    const ali = await client.users.list({ tag: SCOPE.tag, search: "ali", active: true });
    expect(ali).toMatchObject({ total: 1, users: [{ identifier: "alice", activeSessions: 1, totalSessions: 1 }] });
    expect(await client.users.list({ tag: SCOPE.tag, page: 2, limit: 2 })).toMatchObject({ total: 3, page: 2, limit: 2, users: [{ identifier: "alice" }] });
  });

  it("reads a timeline filtered by operation, status and time", async () => {
    const h = await harness();
    const client = harnessClient(h);
    const t0 = h.clock.now;
    const { token } = await client.sessions.start({ tag: SCOPE.tag, data: seed("carol") });
    h.clock.now += 60_000;
    await client.sessions.verify({ tag: SCOPE.tag, token });
    h.clock.now += 16 * 60_000;
    await client.sessions.verify({ tag: SCOPE.tag, token });
    const fails = await client.users.activity({ identifier: "carol", status: "fail" });
    expect(fails.events.map((e) => [e.operation, e.message])).toEqual([["verify", "token invalid: expired"]]);
    const later = await client.users.activity({ identifier: "carol", from: new Date(t0 + 1), operation: "verify", tag: SCOPE.tag });
    expect(later.total).toBe(2);
    expect((await client.users.activity({ identifier: "carol", to: new Date(t0).toISOString(), limit: 1 })).events).toMatchObject([{ operation: "create" }]);
  });

  it("lists users and timelines with product, env and tag left out: one row per identifier, within the key's reach", async () => {
    const second = { ...PRODUCTS[0]!.sessions[0]!, tag: "second" };
    const scoped = generateAccessKey("secret");
    const h = await harness({
      products: [{ ...PRODUCTS[0]!, sessions: [...PRODUCTS[0]!.sessions, second] }],
      accessKeys: { secret: [SECRET_KEY, { key: scoped, products: [SCOPE.product], envs: ["snd"] }] },
    });
    // No default product or env: the calls name them, or mean all of them.
    const client = harnessClient(h, { product: undefined, env: undefined });
    await client.sessions.start({ ...SCOPE, data: seed("dora"), persist: false });
    h.clock.now += 1000;
    await client.sessions.start({ ...SCOPE, tag: "second", data: seed("dora"), persist: false });
    h.clock.now += 1000;
    await client.sessions.start({ ...SCOPE, env: "prd", data: seed("dora"), persist: false });
    await client.sessions.start({ ...SCOPE, env: "prd", data: seed("eve"), persist: false });
    const all = await client.users.list({});
    expect(all).toMatchObject({ total: 2, truncated: false });
    expect(all.users.find((u) => u.identifier === "dora")).toMatchObject({ totalSessions: 3, activeSessions: 3, lastSeen: new Date(h.clock.now).toISOString() });
    expect((await client.users.list({ product: SCOPE.product, env: "snd" })).users).toMatchObject([{ identifier: "dora", totalSessions: 2 }]);
    expect((await client.users.list({ tag: "second" })).users).toMatchObject([{ identifier: "dora", totalSessions: 1 }]);
    const timeline = await client.users.activity({ identifier: "dora" });
    expect(timeline.events.map((e) => `${e.env}/${e.tag}`)).toEqual(["snd/session-tag", "snd/second", "prd/session-tag"]);
    // A key scoped to snd sees snd only, and is refused prd by name.
    const limited = harnessClient(h, { accessKey: scoped, product: undefined, env: undefined });
    expect((await limited.users.list({})).users).toMatchObject([{ identifier: "dora", totalSessions: 2 }]);
    expect((await limited.users.activity({ identifier: "dora" })).total).toBe(2);
    expect(await rejection(limited.users.list({ env: "prd" }))).toMatchObject({ code: "FORBIDDEN", status: 403, field: "env" });
  });

  it("checks arguments before any request, naming the field", async () => {
    const h = await harness();
    let requests = 0;
    const client = harnessClient(h, { fetch: (r) => (requests++, h.server.fetch(r)) });
    const cases: [Promise<unknown>, string][] = [
      [client.users.list({ tag: "" }), "tag"],
      [client.users.list({ product: "bad:product" }), "product"],
      [client.users.list({ env: 3 as never }), "env"],
      [client.users.list(null as never), "arguments"],
      [client.users.activity({ identifier: "x", product: "" }), "product"],
      [client.users.activity({ identifier: "x", env: null as never }), "env"],
      [client.users.list({ tag: SCOPE.tag, active: "yes" as never }), "active"],
      [client.users.list({ tag: SCOPE.tag, page: 0 }), "page"],
      [client.users.list({ tag: SCOPE.tag, search: 3 as never }), "search"],
      [client.users.activity({ identifier: "" }), "identifier"],
      [client.users.activity({ identifier: "x", operation: "delete" as never }), "operation"],
      [client.users.activity({ identifier: "x", status: "ok" as never }), "status"],
      [client.users.activity({ identifier: "x", from: "last week" }), "from"],
      [client.users.activity({ identifier: "x", to: new Date(NaN) }), "to"],
      [client.users.activity({ identifier: "x", limit: 1.5 }), "limit"],
    ];
    for (const [call, field] of cases) expect(await rejection(call), field).toMatchObject({ code: "INVALID_ARGUMENT", field });
    expect(requests).toBe(0);
  });

  it("needs the secret key: a publishable key is refused by the server", async () => {
    const h = await harness();
    const client = harnessClient(h, { accessKey: PUBLISHABLE_KEY });
    expect(await rejection(client.users.list({ tag: SCOPE.tag }))).toMatchObject({ code: "FORBIDDEN", status: 403 });
  });
});
