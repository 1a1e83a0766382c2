import { describe, expect, it } from "vitest";
import { createClient } from "../../src/index.js";
import { memoryStorage } from "../../src/storage/index.js";
import { fakeEndpoint } from "./fake-endpoint.js";
import { rejection } from "../support/rejection.js";

const scope = { product: "p", env: "snd", tag: "session-tag" };
const ACCESS_KEY = "tsk_live_0123456789abcdef";

function make(endpoint = fakeEndpoint(), extra: Record<string, unknown> = {}) {
  const tessera = createClient({
    baseUrl: "https://auth.test/base",
    accessKey: ACCESS_KEY,
    storage: memoryStorage(),
    fetch: endpoint.fetch,
    ...extra,
  });
  return { tessera, endpoint };
}

describe("requests", () => {
  it("posts JSON under the base URL with the access key as a Bearer token", async () => {
    const { tessera, endpoint } = make();
    await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    const call = endpoint.calls[0]!;
    expect(call.url).toBe("https://auth.test/base/v1/sessions/start");
    expect(call.headers.get("authorization")).toBe(`Bearer ${ACCESS_KEY}`);
    expect(call.headers.get("content-type")).toContain("application/json");
    expect(call.body).toEqual({ ...scope, data: { userId: "u1" } });
  });

  it("sends the access key on every operation, not only start", async () => {
    const { tessera, endpoint } = make();
    await tessera.sessions.verify({ ...scope, token: "session-tag:x" });
    await tessera.sessions.revoke({ ...scope, sessionId: "s" });
    await tessera.sessions.revokeAll({ ...scope, identifier: "u" });
    await tessera.sessions.listActive({ ...scope });
    await tessera.sessions.refresh({ ...scope, refreshToken: "session-tag:unknown" }).catch(() => undefined);
    expect(endpoint.calls).toHaveLength(5);
    for (const call of endpoint.calls) expect(call.headers.get("authorization")).toBe(`Bearer ${ACCESS_KEY}`);
  });

  it("sends listActive as a GET with the query", async () => {
    const urls: string[] = [];
    const { tessera } = make(fakeEndpoint(), {
      fetch: async (request: Request) => {
        urls.push(`${request.method} ${request.url}`);
        return Response.json({ total: 0, page: 2, limit: 5, sessions: [] });
      },
    });
    const result = await tessera.sessions.listActive({ ...scope, identifier: "u 1", page: 2, limit: 5 });
    expect(result.page).toBe(2);
    expect(urls).toEqual([
      "GET https://auth.test/base/v1/sessions?product=p&env=snd&tag=session-tag&identifier=u+1&page=2&limit=5",
    ]);
  });
});

describe("every failure is a SessionError with code, status and the server's message", () => {
  it("maps the server's error body", async () => {
    const endpoint = fakeEndpoint();
    endpoint.script("/v1/sessions/start", { status: 404, body: { error: { code: "TAG_NOT_FOUND", message: 'tag "x" is not configured', field: "tag" } } });
    const { tessera } = make(endpoint);
    const error = await rejection(tessera.sessions.start({ ...scope, data: {} }));
    expect(error).toMatchObject({ code: "TAG_NOT_FOUND", status: 404, message: 'tag "x" is not configured', field: "tag" });
  });

  it("maps a 5xx without a body to SERVER_ERROR with the status", async () => {
    const endpoint = fakeEndpoint();
    endpoint.script("/v1/sessions/verify", { status: 503 });
    const error = await rejection(make(endpoint).tessera.sessions.verify({ ...scope, token: "session-tag:abc" }));
    expect(error).toMatchObject({ code: "SERVER_ERROR", status: 503 });
  });

  it("keeps a well-formed code it does not know (a newer server's) as sent", async () => {
    const endpoint = fakeEndpoint();
    endpoint.script("/v1/sessions/verify", { status: 401, body: { error: { code: "SOMETHING_NEW", message: "nope" } } });
    const error = await rejection(make(endpoint).tessera.sessions.verify({ ...scope, token: "t:x" }));
    expect(error).toMatchObject({ code: "SOMETHING_NEW", status: 401, message: "nope" });
  });

  it("maps a malformed code or a non-JSON answer by status: 400/401/403/404 generic, the rest SERVER_ERROR", async () => {
    const endpoint = fakeEndpoint();
    endpoint.script(
      "/v1/sessions/verify",
      { status: 401, body: { error: { code: "not a code", message: "nope" } } },
      { status: 403 },
      { status: 404, body: { error: { code: 42 } } },
      { status: 400 },
      { status: 413 },
      { status: 429 },
    );
    const { tessera } = make(endpoint);
    const next = () => rejection(tessera.sessions.verify({ ...scope, token: "t:x" }));
    expect(await next()).toMatchObject({ code: "UNAUTHORIZED", status: 401, message: "nope" });
    expect(await next()).toMatchObject({ code: "FORBIDDEN", status: 403 });
    expect(await next()).toMatchObject({ code: "NOT_FOUND", status: 404 });
    expect(await next()).toMatchObject({ code: "INVALID_ARGUMENT", status: 400 });
    expect(await next()).toMatchObject({ code: "SERVER_ERROR", status: 413 });
    expect(await next()).toMatchObject({ code: "SERVER_ERROR", status: 429 });
  });

  it("maps a network failure to NETWORK_ERROR (status 0)", async () => {
    const endpoint = fakeEndpoint();
    endpoint.script("/v1/sessions/revoke-all", "network");
    const error = await rejection(make(endpoint).tessera.sessions.revokeAll({ ...scope, identifier: "u" }));
    expect(error).toMatchObject({ code: "NETWORK_ERROR", status: 0 });
  });

  it("maps a timeout to TIMEOUT", async () => {
    const endpoint = fakeEndpoint();
    endpoint.script("/v1/sessions/verify", "hang");
    const { tessera } = make(endpoint, { timeout: 50 });
    const error = await rejection(tessera.sessions.verify({ ...scope, token: "t:x" }));
    expect(error).toMatchObject({ code: "TIMEOUT", status: 0 });
  });

  it("maps a malformed success answer to SERVER_ERROR", async () => {
    const endpoint = fakeEndpoint();
    endpoint.script("/v1/sessions/start", { status: 201, body: { token: 1 } });
    expect(await rejection(make(endpoint).tessera.sessions.start({ ...scope, data: {} }))).toMatchObject({ code: "SERVER_ERROR" });
  });

  it("never puts a token, refresh token or key in an error message, even one the server echoes", async () => {
    const endpoint = fakeEndpoint();
    const refreshToken = "session-tag:opaque-refresh-token-value-1234567890";
    endpoint.script("/v1/sessions/refresh", {
      status: 400,
      body: { error: { code: "INVALID_ARGUMENT", message: `bad token ${refreshToken} with key ${ACCESS_KEY}` } },
    });
    const error = await rejection(make(endpoint).tessera.sessions.refresh({ ...scope, refreshToken }));
    expect(error.message).not.toContain(refreshToken);
    expect(error.message).not.toContain(ACCESS_KEY);
    expect(error.message).toContain("[redacted]");
    const all = JSON.stringify({ ...error, message: error.message, cause: String(error.cause), stack: error.stack });
    expect(all).not.toContain(ACCESS_KEY);
  });
});

describe("retries only where safe", () => {
  it("retries a start on 503 with the same Idempotency-Key, creating one session", async () => {
    const endpoint = fakeEndpoint();
    endpoint.script("/v1/sessions/start", { status: 503 }, "network");
    const { tessera } = make(endpoint);
    const tokens = await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    const keys = endpoint.calls.map((c) => c.headers.get("idempotency-key"));
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(endpoint.sessions.size).toBe(1);
    expect(tokens.sessionId).toBe([...endpoint.sessions.keys()][0]);
  });

  it("uses a new Idempotency-Key for each logical start", async () => {
    const { tessera, endpoint } = make();
    await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    const keys = endpoint.calls.map((c) => c.headers.get("idempotency-key"));
    expect(keys[0]).not.toBe(keys[1]);
    expect(endpoint.sessions.size).toBe(2);
  });

  it("retries a refresh after a timeout and a 502, and stops after `retries`", async () => {
    const endpoint = fakeEndpoint();
    const { tessera } = make(endpoint, { timeout: 100 });
    const started = await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    endpoint.script("/v1/sessions/refresh", "hang", { status: 502 });
    const next = await tessera.sessions.refresh({ ...scope, refreshToken: started.refreshToken });
    expect(next.refreshToken).not.toBe(started.refreshToken);
    expect(endpoint.count("/v1/sessions/refresh")).toBe(3);

    endpoint.script("/v1/sessions/refresh", { status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const error = await rejection(tessera.sessions.refresh({ ...scope, refreshToken: next.refreshToken }));
    expect(error.code).toBe("SERVER_ERROR");
    expect(endpoint.count("/v1/sessions/refresh")).toBe(6); // 1 + 2 retries
  });

  it("caps a server's Retry-After: an hour becomes a few seconds", async () => {
    const endpoint = fakeEndpoint();
    const started = await make(endpoint).tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    const busy = { status: 503, body: { error: { code: "SERVER_ERROR", message: "busy" } } };
    endpoint.script("/v1/sessions/refresh", busy, busy);
    const at = Date.now();
    const error = await rejection(
      createClient({
        baseUrl: "https://auth.test",
        storage: memoryStorage(),
        retries: 1,
        fetch: async (request) => {
          const response = await endpoint.fetch(request);
          if (response.status !== 503) return response;
          return new Response(await response.text(), { status: 503, headers: { "retry-after": "3600", "content-type": "application/json" } });
        },
      }).sessions.refresh({ ...scope, refreshToken: started.refreshToken }),
    );
    expect(error).toMatchObject({ code: "SERVER_ERROR", status: 503 });
    expect(endpoint.count("/v1/sessions/refresh")).toBe(2);
    expect(Date.now() - at).toBeLessThan(6_000);
  });

  it("does not retry a refresh the server refused (4xx)", async () => {
    const endpoint = fakeEndpoint();
    const { tessera } = make(endpoint);
    const error = await rejection(tessera.sessions.refresh({ ...scope, refreshToken: "session-tag:unknown" }));
    expect(error.code).toBe("REFRESH_INVALID");
    expect(endpoint.count("/v1/sessions/refresh")).toBe(1);
  });

  it.each([
    ["verify", (t: ReturnType<typeof make>["tessera"]) => t.sessions.verify({ ...scope, token: "t:x" }), "/v1/sessions/verify"],
    ["revoke", (t: ReturnType<typeof make>["tessera"]) => t.sessions.revoke({ ...scope, sessionId: "s" }), "/v1/sessions/revoke"],
    ["revokeAll", (t: ReturnType<typeof make>["tessera"]) => t.sessions.revokeAll({ ...scope, identifier: "u" }), "/v1/sessions/revoke-all"],
    ["listActive", (t: ReturnType<typeof make>["tessera"]) => t.sessions.listActive({ ...scope }), "/v1/sessions"],
  ])("never retries %s", async (_name, call, path) => {
    const endpoint = fakeEndpoint();
    endpoint.script(path, { status: 503 }, { status: 503 });
    const { tessera } = make(endpoint);
    await rejection(call(tessera));
    expect(endpoint.count(path)).toBe(1);
  });
});
