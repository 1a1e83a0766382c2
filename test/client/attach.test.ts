import ky from "ky";
import { describe, expect, it } from "vitest";
import { createClient } from "../../src/index.js";
import { memoryStorage } from "../../src/storage/index.js";
import { fakeEndpoint, manualClock } from "./fake-endpoint.js";

const scope = { product: "p", env: "snd", tag: "session-tag" };

function setup() {
  const clock = manualClock();
  const endpoint = fakeEndpoint({ now: clock.now });
  const tessera = createClient({ baseUrl: "https://auth.test", storage: memoryStorage(), fetch: endpoint.fetch, now: clock.now, retries: 0 });
  const seen: Request[] = [];
  const app = async (request: Request) => {
    seen.push(request);
    return Response.json({ ok: true, method: request.method, body: request.body ? await request.text() : null });
  };
  return { clock, endpoint, tessera, seen, app };
}

describe("attaching the session to the app's own requests", () => {
  it("the ky hook sets Authorization: Session <tag>:<jwt>, refreshing first inside the margin", async () => {
    const { clock, endpoint, tessera, seen, app } = setup();
    const started = await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    const api = ky.create({ prefixUrl: "https://app.test", fetch: app as typeof fetch, hooks: { beforeRequest: [tessera.sessions.kyHook({ ...scope, origins: ["https://app.test"] })] } });
    await api.get("me").json();
    expect(seen[0]!.headers.get("authorization")).toBe(`Session ${started.token}`);
    expect(started.token.startsWith("session-tag:")).toBe(true);

    clock.advance(14.5 * 60_000);
    await api.get("me").json();
    expect(endpoint.count("/v1/sessions/refresh")).toBe(1);
    const current = await tessera.sessions.get(scope);
    expect(seen[1]!.headers.get("authorization")).toBe(`Session ${current!.token}`);
    expect(current!.token).not.toBe(started.token);
  });

  it("the fetch wrapper keeps method, body and the app's headers", async () => {
    const { tessera, seen, app } = setup();
    const started = await tessera.sessions.start({ ...scope, data: { userId: "u1" } });
    const authed = tessera.sessions.fetch({ ...scope, origins: ["https://app.test"] }, app);
    const response = await authed("https://app.test/orders", {
      method: "POST",
      headers: { "x-app": "1", "content-type": "application/json" },
      body: JSON.stringify({ item: 3 }),
    });
    expect(await response.json()).toEqual({ ok: true, method: "POST", body: '{"item":3}' });
    expect(seen[0]!.headers.get("x-app")).toBe("1");
    expect(seen[0]!.headers.get("authorization")).toBe(`Session ${started.token}`);
  });

  it("without a session the request goes out without Authorization", async () => {
    const { tessera, seen, app } = setup();
    await tessera.sessions.fetch({ ...scope, origins: ["https://app.test"] }, app)("https://app.test/public");
    expect(seen[0]!.headers.has("authorization")).toBe(false);
  });
});
