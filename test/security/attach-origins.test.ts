/**
 * Issue 10 §9: `sessions.fetch()` and `kyHook()` attach the session token only to the page's
 * own origin, the endpoint's origin and the origins the app lists, and never replace an
 * `Authorization` header the caller set. Attacks: a third-party URL, look-alike origins (other
 * scheme, port, subdomain, suffix), and the app's own credentials for another API.
 */
import ky from "ky";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createClient } from "../../src/index.js";
import { memoryStorage } from "../../src/storage/index.js";
import { fakeEndpoint, manualClock } from "../client/fake-endpoint.js";

const scope = { product: "p", env: "snd", tag: "session-tag" };

async function setup() {
  const clock = manualClock();
  const endpoint = fakeEndpoint({ now: clock.now });
  const tessera = createClient({ baseUrl: "https://auth.test/base", storage: memoryStorage(), fetch: endpoint.fetch, now: clock.now, retries: 0 });
  const { token } = await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
  const seen: Request[] = [];
  const network = async (request: Request) => {
    seen.push(request);
    return new Response("{}", { headers: { "content-type": "application/json" } });
  };
  const sent = () => seen.map((r) => [new URL(r.url).origin, r.headers.get("authorization")]);
  return { tessera, token, network, sent, endpoint, clock };
}

afterEach(() => vi.unstubAllGlobals());

describe("§9 the session token goes only where it is meant to go", () => {
  const lookAlikes = [
    "https://evil.test/steal",
    "http://app.test/me", // another scheme
    "https://app.test:8443/me", // another port
    "https://sub.app.test/me",
    "https://app.test.evil.test/me",
    "https://auth.test.evil.test/v1/sessions/track",
  ];

  it("fetch(): listed origins and the endpoint's get the token; third parties and look-alikes do not", async () => {
    const { tessera, token, network, sent } = await setup();
    const api = tessera.sessions.fetch({ ...scope, origins: ["https://app.test"] }, network);
    await api("https://app.test/me");
    await api("https://auth.test/v1/sessions/track", { method: "POST", body: "{}" });
    for (const url of lookAlikes) await api(url);
    expect(sent()).toEqual([
      ["https://app.test", `Session ${token}`],
      ["https://auth.test", `Session ${token}`],
      ...lookAlikes.map((url) => [new URL(url).origin, null]),
    ]);
  });

  it("kyHook(): the same rule, and without `origins` outside a browser only the endpoint's origin", async () => {
    const { tessera, token, network, sent } = await setup();
    const hook = tessera.sessions.kyHook(scope);
    const api = ky.create({ fetch: network as typeof fetch, hooks: { beforeRequest: [hook] }, retry: 0 });
    await api.get("https://app.test/me");
    await api.get("https://evil.test/me");
    await api.get("https://auth.test/v1/anything");
    expect(sent()).toEqual([
      ["https://app.test", null],
      ["https://evil.test", null],
      ["https://auth.test", `Session ${token}`],
    ]);
  });

  it("in a page, the page's own origin is allowed (relative URLs included), other origins are not", async () => {
    vi.stubGlobal("location", new URL("https://shop.test/cart"));
    const { tessera, token, network, sent } = await setup();
    const api = tessera.sessions.fetch(scope, network);
    await api(new Request("https://shop.test/api/me"));
    await api("https://cdn.shop.test/x.json");
    expect(sent()).toEqual([
      ["https://shop.test", `Session ${token}`],
      ["https://cdn.shop.test", null],
    ]);
  });

  it("never replaces an Authorization header the caller set", async () => {
    const { tessera, network, seen } = await setup().then((s) => ({ ...s, seen: [] as Request[] }));
    const record = async (request: Request) => {
      seen.push(request);
      return network(request);
    };
    const api = tessera.sessions.fetch({ ...scope, origins: ["https://app.test"] }, record);
    await api("https://app.test/partner", { headers: { Authorization: "Bearer partner-api-key" } });
    const viaKy = ky.create({ fetch: record as typeof fetch, hooks: { beforeRequest: [tessera.sessions.kyHook({ ...scope, origins: ["https://app.test"] })] } });
    await viaKy.get("https://app.test/partner", { headers: { authorization: "Basic dXNlcjpwYXNz" } });
    expect(seen.map((r) => r.headers.get("authorization"))).toEqual(["Bearer partner-api-key", "Basic dXNlcjpwYXNz"]);
  });

  it("a request the token is not sent with does not refresh the session either", async () => {
    const { tessera, network, endpoint, clock } = await setup();
    clock.advance(14.5 * 60_000); // inside the refresh margin
    const api = tessera.sessions.fetch({ ...scope, origins: ["https://app.test"] }, network);
    await api("https://evil.test/");
    expect(endpoint.count("/v1/sessions/refresh")).toBe(0);
    await api("https://app.test/");
    expect(endpoint.count("/v1/sessions/refresh")).toBe(1);
  });

  it.each(["app.test", "*", "null", "", "/api", "//app.test"])("refuses origins entry %j at creation", async (entry) => {
    const { tessera } = await setup();
    expect(() => tessera.sessions.fetch({ ...scope, origins: [entry] })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", field: "origins" }));
    expect(() => tessera.sessions.kyHook({ ...scope, origins: [entry] })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", field: "origins" }));
  });

  it("refuses an origins value that is not a list of URLs; an entry's path does not widen or narrow its origin", async () => {
    const { tessera, token, network, sent } = await setup();
    for (const origins of ["https://app.test", null, 42, [null]]) {
      expect(() => tessera.sessions.fetch({ ...scope, origins: origins as never })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    }
    const api = tessera.sessions.fetch({ ...scope, origins: ["https://api.test/v1/"] }, network);
    await api("https://api.test/other");
    await api("https://api.test.evil.test/v1/");
    expect(sent()).toEqual([
      ["https://api.test", `Session ${token}`],
      ["https://api.test.evil.test", null],
    ]);
  });
});
