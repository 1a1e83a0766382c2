import { describe, expect, it, vi } from "vitest";
import { createClient } from "../../src/index.js";
import { memoryStorage } from "../../src/storage/index.js";
import { rejection } from "../support/rejection.js";

function client() {
  const fetch = vi.fn(async () => new Response("{}", { status: 400 }));
  const tessera = createClient({ baseUrl: "https://auth.test", accessKey: "tsk_test", storage: memoryStorage(), fetch });
  return { tessera, fetch };
}

const scope = { product: "my-product-tag", env: "snd", tag: "session-tag" };
const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;

describe("arguments are checked before any request (issue 2, Behaviour 1)", () => {
  it.each([
    ["product missing", { env: "snd", tag: "t", data: {} }, "product"],
    ["env empty", { product: "p", env: "", tag: "t", data: {} }, "env"],
    ["tag blank", { product: "p", env: "snd", tag: "   ", data: {} }, "tag"],
    ["tag not a string", { product: "p", env: "snd", tag: 42, data: {} }, "tag"],
    ["tag with a colon", { product: "p", env: "snd", tag: "a:b", data: {} }, "tag"],
    ["data missing", { ...scope }, "data"],
    ["data an array", { ...scope, data: [1] }, "data"],
    ["data a string", { ...scope, data: "x" }, "data"],
    ["data a Date", { ...scope, data: new Date() }, "data"],
    ["data with undefined", { ...scope, data: { userId: undefined } }, "data.userId"],
    ["data with a function", { ...scope, data: { f: () => 1 } }, "data.f"],
    ["data with a bigint", { ...scope, data: { n: 10n } }, "data.n"],
    ["data with NaN", { ...scope, data: { details: { score: Number.NaN } } }, "data.details.score"],
    ["data with Infinity in an array", { ...scope, data: { list: [1, Infinity] } }, "data.list[1]"],
    ["data with a Map", { ...scope, data: { m: new Map() } }, "data.m"],
    ["data with a cycle", { ...scope, data: cyclic }, "data.self"],
    ["data with a symbol", { ...scope, data: { s: Symbol("x") } }, "data.s"],
  ])("start: %s -> INVALID_ARGUMENT naming %s, no request", async (_name, args, field) => {
    const { tessera, fetch } = client();
    const error = await rejection(tessera.sessions.start(args as never));
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.status).toBe(400);
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("refuses data nested 20,000 deep without overflowing the stack", async () => {
    const { tessera, fetch } = client();
    let data: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) data = { n: data };
    const error = await rejection(tessera.sessions.start({ ...scope, data: data as never }));
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.field).toBe("data" + ".n".repeat(33));
    expect(fetch).not.toHaveBeenCalled();
  });

  it("accepts nested JSON data and null-prototype objects", async () => {
    const { tessera, fetch } = client();
    const data = Object.assign(Object.create(null), { userId: "1", details: { email: "a@b.c", tags: ["x", 1, true, null] } });
    await rejection(tessera.sessions.start({ ...scope, data }));
    expect(fetch).toHaveBeenCalledTimes(1); // it went out (and the stub answered 400)
  });

  it.each([
    ["refresh with an empty refreshToken", (t: ReturnType<typeof client>["tessera"]) => t.sessions.refresh({ ...scope, refreshToken: "" }), "refreshToken"],
    ["verify with a numeric token", (t: ReturnType<typeof client>["tessera"]) => t.sessions.verify({ ...scope, token: 5 as never }), "token"],
    ["revoke without a target", (t: ReturnType<typeof client>["tessera"]) => t.sessions.revoke({ ...scope } as never), "sessionId"],
    ["revoke with two targets", (t: ReturnType<typeof client>["tessera"]) => t.sessions.revoke({ ...scope, sessionId: "s", identifier: "i" } as never), "sessionId"],
    ["revokeAll without identifier", (t: ReturnType<typeof client>["tessera"]) => t.sessions.revokeAll({ ...scope } as never), "identifier"],
    ["listActive with page 0", (t: ReturnType<typeof client>["tessera"]) => t.sessions.listActive({ ...scope, page: 0 }), "page"],
    ["listActive with a fractional limit", (t: ReturnType<typeof client>["tessera"]) => t.sessions.listActive({ ...scope, limit: 2.5 }), "limit"],
    ["get without tag", (t: ReturnType<typeof client>["tessera"]) => t.sessions.get({ product: "p", env: "e" } as never), "tag"],
    ["end with a null arguments object", (t: ReturnType<typeof client>["tessera"]) => t.sessions.end(null as never), "arguments"],
  ])("%s -> INVALID_ARGUMENT, no request", async (_name, call, field) => {
    const { tessera, fetch } = client();
    const error = await rejection(call(tessera));
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.field).toBe(field);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("uses the client's product and env as defaults that each call may override", async () => {
    const seen: unknown[] = [];
    const tessera = createClient({
      baseUrl: "https://auth.test",
      product: "default-product",
      env: "dev",
      storage: memoryStorage(),
      fetch: async (request) => {
        seen.push(await request.json());
        return Response.json({ revoked: 0 });
      },
    });
    await tessera.sessions.revokeAll({ tag: "t", identifier: "u1" });
    await tessera.sessions.revokeAll({ product: "other", env: "prd", tag: "t", identifier: "u1" });
    expect(seen).toEqual([
      { product: "default-product", env: "dev", tag: "t", identifier: "u1" },
      { product: "other", env: "prd", tag: "t", identifier: "u1" },
    ]);
  });
});
