import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createDevHandler } from "../../src/cli/dev-handler.js";
import { SEED_CONFIG } from "../../src/cli/seed-config.js";

const accessKeys = { secret: "tsk_SECRET_never_on_the_page", publishable: "tpk_publishable" };
const origin = "http://127.0.0.1:8787";

/** A stand-in endpoint that records what reaches it and echoes it back. */
function setup(scriptFiles: string[] = []) {
  const seen: Request[] = [];
  const handler = createDevHandler({
    config: SEED_CONFIG,
    accessKeys,
    scriptFiles,
    peerAddress: () => "127.0.0.1",
    server: async (request) => {
      seen.push(request);
      const body = request.method === "GET" ? null : await request.text();
      return Response.json({ path: new URL(request.url).pathname + new URL(request.url).search, body }, { status: 201 });
    },
  });
  return { handler, seen };
}

describe("createDevHandler", () => {
  it("serves the demo page, its bundled script and style, under a same-origin CSP", async () => {
    const { handler, seen } = setup();
    const response = await handler(new Request(`${origin}/`));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await response.text();
    expect(html).toContain('<script src="/demo/app.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/demo/app.css">');
    expect(html).not.toContain(accessKeys.publishable); // keys come from /demo/config
    // The ESM client with dpopKey, bundled at build time (the script-tag build has no dpopKey).
    const script = await handler(new Request(`${origin}/demo/app.js`));
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain("tessera-keys");
    const style = await handler(new Request(`${origin}/demo/app.css`));
    expect(style.headers.get("content-type")).toMatch(/^text\/css/);
    expect(seen).toHaveLength(0);
  });

  it("serves the first existing browser build and says how to build one when none exists", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-dist-"));
    writeFileSync(join(dir, "tessera.global.js"), "var Tessera={};");
    const found = await setup([join(dir, "missing.js"), join(dir, "tessera.global.js")]).handler(new Request(`${origin}/tessera.global.js`));
    expect(found.status).toBe(200);
    expect(found.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await found.text()).toBe("var Tessera={};");
    const missing = await setup([join(dir, "missing.js")]).handler(new Request(`${origin}/tessera.global.js`));
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("npm run build");
  });

  it("gives the page the publishable key and the configs, never the secret key", async () => {
    const { handler } = setup();
    const response = await handler(new Request(`${origin}/demo/config`));
    const text = await response.text();
    expect(text).not.toContain(accessKeys.secret);
    expect(JSON.parse(text)).toEqual({
      publishableKey: accessKeys.publishable,
      products: [
        {
          tag: "my-product-tag",
          name: "My product",
          envs: ["dev", "snd", "prd"],
          sessions: [
            { tag: "session-tag", name: "Signed-in user", public: false, binding: null },
            { tag: "web", name: "Signed-in user, bound to the browser", public: false, binding: "dpop" },
            { tag: "guest", name: "Guest", public: true, binding: null },
          ],
        },
      ],
    });
  });

  it("plays the app's backend: /demo/login calls start with the secret key in place of the page's key", async () => {
    const { handler, seen } = setup();
    const body = JSON.stringify({ product: "my-product-tag", env: "snd", tag: "session-tag", data: { userId: "1" } });
    const response = await handler(
      new Request(`${origin}/demo/login`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer tpk_publishable", "idempotency-key": "k1", origin },
        body,
      }),
    );
    expect(response.status).toBe(201);
    expect(seen).toHaveLength(1);
    const upstream = seen[0]!;
    expect(upstream.method).toBe("POST");
    expect(new URL(upstream.url).pathname).toBe("/v1/sessions/start");
    expect(upstream.headers.get("authorization")).toBe(`Bearer ${accessKeys.secret}`);
    expect(upstream.headers.get("idempotency-key")).toBe("k1");
    expect((await response.json()).body).toBe(body);
  });

  it("passes the page's key thumbprint on to start as dpop.jkt, and anything not JSON as it came", async () => {
    const { handler, seen } = setup();
    const jkt = "N".repeat(43);
    const login = (body: string) => handler(new Request(`${origin}/demo/login`, { method: "POST", headers: { "content-type": "application/json", origin }, body }));
    const bound = await login(JSON.stringify({ product: "my-product-tag", env: "snd", tag: "web", data: { userId: "1" }, jkt }));
    expect(JSON.parse((await bound.json()).body)).toEqual({ product: "my-product-tag", env: "snd", tag: "web", data: { userId: "1" }, dpop: { jkt } });
    expect((await (await login("not json")).json()).body).toBe("not json");
    expect(seen).toHaveLength(2);
  });

  it("proxies the activity timeline with the secret key, the identifier path-encoded", async () => {
    const { handler, seen } = setup();
    const response = await handler(
      new Request(`${origin}/demo/activity?product=my-product-tag&env=snd&identifier=a%2Fb%20c&secret=x`),
    );
    expect(await response.json()).toMatchObject({ path: "/v1/users/a%2Fb%20c/activity?product=my-product-tag&env=snd&limit=100" });
    expect(seen[0]!.headers.get("authorization")).toBe(`Bearer ${accessKeys.secret}`);
    const missing = await handler(new Request(`${origin}/demo/activity?product=p&env=e`));
    expect(missing.status).toBe(400);
  });

  it("refuses the secret-key routes to other sites' pages and to non-loopback hosts (DNS rebinding)", async () => {
    const { handler, seen } = setup();
    const crossSite = await handler(
      new Request(`${origin}/demo/login`, { method: "POST", headers: { origin: "https://evil.example" }, body: "{}" }),
    );
    expect(crossSite.status).toBe(403);
    const rebound = await handler(new Request("http://evil.example:8787/demo/activity?identifier=1"));
    expect(rebound.status).toBe(403);
    expect(seen).toHaveLength(0);
  });

  it("answers wrong methods and unknown demo routes without reaching the endpoint", async () => {
    const { handler, seen } = setup();
    expect((await handler(new Request(`${origin}/demo/login`))).status).toBe(405);
    expect((await handler(new Request(`${origin}/`, { method: "POST", body: "x" }))).status).toBe(405);
    expect((await handler(new Request(`${origin}/demo/nope`))).status).toBe(404);
    expect(seen).toHaveLength(0);
  });

  it("hands every other path to the endpoint untouched", async () => {
    const { handler, seen } = setup();
    await handler(new Request(`${origin}/v1/sessions/verify`, { method: "POST", headers: { authorization: "Bearer tpk_x" }, body: "{}" }));
    await handler(new Request(`${origin}/.well-known/jwks.json`));
    expect(seen.map((r) => new URL(r.url).pathname)).toEqual(["/v1/sessions/verify", "/.well-known/jwks.json"]);
    expect(seen[0]!.headers.get("authorization")).toBe("Bearer tpk_x");
  });
});
