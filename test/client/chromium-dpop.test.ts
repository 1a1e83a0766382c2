/**
 * DPoP-bound sessions in Debian's Chromium (playwright-core) against a real endpoint on
 * loopback: tokens read out of the page and replayed from Node without the page's key are
 * refused on refresh, verify and track; the page itself keeps working across reloads and tabs,
 * with one non-extractable key per origin kept in IndexedDB.
 */
import { build } from "esbuild";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveNode, type NodeServer } from "../../src/node/index.js";
import { createSessionServer, generateAccessKey, generateSecret, generateSigningKey, memoryStore } from "../../src/server/index.js";
import { createDpopProof } from "../../src/shared/dpop/create-proof.js";
import { launchChromium } from "../support/chromium.ts";

const PUBLISHABLE = generateAccessKey("publishable");
const SCOPE = { product: "shop", env: "prd", tag: "bound" };
let http: NodeServer;
let browser: Browser;
let context: BrowserContext;

const PAGE = `<!doctype html><meta charset="utf-8"><title>tessera dpop page</title>
<script type="module">
  import { createClient, dpopKey } from "/tessera.mjs";
  window.dpopKey = dpopKey;
  window.makeClient = () => {
    window.client?.close();
    return (window.client = createClient({ baseUrl: location.origin, accessKey: ${JSON.stringify(PUBLISHABLE)}, product: "shop", env: "prd", dpop: dpopKey() }));
  };
  window.ready = true;
</script>`;

beforeAll(async () => {
  const server = createSessionServer({
    issuer: "http://127.0.0.1",
    keys: [await generateSigningKey()],
    secret: generateSecret(),
    store: memoryStore(),
    products: [{ tag: "shop", envs: ["prd"], sessions: [{ tag: "bound", schema: { guestId: "string" }, selector: "$Session{guestId}", expiry: 15, period: "mins", public: true, binding: "dpop" }] }],
    accessKeys: { secret: [generateAccessKey("secret")], publishable: [PUBLISHABLE] },
  });
  // The ESM entry as a web app's bundler would ship it (dpopKey is not in the script-tag build).
  const bundle = await build({ entryPoints: ["src/index.ts"], bundle: true, format: "esm", platform: "browser", target: "es2022", write: false });
  const module = bundle.outputFiles[0]!.text;
  http = await serveNode(async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/") return new Response(PAGE, { headers: { "content-type": "text/html" } });
    if (pathname === "/tessera.mjs") return new Response(module, { headers: { "content-type": "text/javascript" } });
    if (pathname === "/favicon.ico") return new Response(null, { status: 404 });
    return server.fetch(request);
  });
  browser = await launchChromium();
  context = await browser.newContext();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await http?.close();
});

async function openPage(into: BrowserContext = context): Promise<Page> {
  const page = await into.newPage();
  await page.goto(http.url);
  await page.waitForFunction(() => (window as any).ready === true);
  return page;
}

const post = (path: string, body: object, headers: Record<string, string> = {}) =>
  fetch(`${http.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${PUBLISHABLE}`, "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

describe("DPoP-bound sessions in Chromium", () => {
  let first: Page;
  let stolen: { token: string; refreshToken: string; sessionId: string };
  let jkt: string;

  it("binds a page's session to a non-extractable key kept in IndexedDB", async () => {
    first = await openPage();
    ({ stolen, jkt } = await first.evaluate(async () => {
      const client = (window as any).makeClient();
      await client.sessions.start({ tag: "bound", data: { guestId: "g-" + crypto.randomUUID() } });
      // What a script in the page can read: the tokens through the client.
      const session = await client.sessions.get({ tag: "bound" });
      return { stolen: session, jkt: await (window as any).dpopKey().thumbprint() };
    }));
    const claims = JSON.parse(Buffer.from(stolen.token.split(":")[1]!.split(".")[1]!, "base64url").toString());
    expect(claims.cnf).toEqual({ jkt });
    const stored = await first.evaluate(
      () =>
        new Promise<{ extractable: boolean; type: string }>((resolve, reject) => {
          const req = indexedDB.open("tessera-keys");
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            const get = req.result.transaction("keys", "readonly").objectStore("keys").get("ecdsa-p256/dpop/v1");
            get.onsuccess = () => resolve({ extractable: get.result.privateKey.extractable, type: get.result.privateKey.type });
            get.onerror = () => reject(get.error);
          };
        }),
    );
    expect(stored).toEqual({ extractable: false, type: "private" });
  });

  it("refuses the tokens replayed from Node without the page's key: refresh, verify, track", async () => {
    const refresh = await post("/v1/sessions/refresh", { ...SCOPE, refreshToken: stolen.refreshToken });
    expect([refresh.status, (await refresh.json()).error.code]).toEqual([401, "DPOP_REQUIRED"]);
    const verify = await post("/v1/sessions/verify", { ...SCOPE, token: stolen.token });
    expect([verify.status, (await verify.json()).error.code]).toEqual([401, "DPOP_REQUIRED"]);
    const track = await fetch(`${http.url}/v1/sessions/track`, { method: "POST", headers: { authorization: `Session ${stolen.token}`, "content-type": "application/json" }, body: JSON.stringify({ action: "x" }) });
    expect([track.status, (await track.json()).error.code]).toEqual([401, "DPOP_REQUIRED"]);
    // With a key of the thief's own, the proof is valid but from the wrong key.
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
    const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", pair.publicKey);
    const proof = await createDpopProof(pair.privateKey, { kty, crv, x, y } as never, { htm: "POST", htu: `${http.url}/v1/sessions/refresh` });
    const own = await post("/v1/sessions/refresh", { ...SCOPE, refreshToken: stolen.refreshToken }, { dpop: proof });
    expect([own.status, (await own.json()).error.code]).toEqual([401, "DPOP_INVALID"]);
  });

  it("keeps working in the page across a reload and in a second tab, with one key per origin", async () => {
    await first.reload();
    await first.waitForFunction(() => (window as any).ready === true);
    const afterReload = await first.evaluate(async () => {
      const client = (window as any).makeClient();
      const refreshed = await client.sessions.refresh({ tag: "bound" });
      const verified = await client.sessions.verify({ tag: "bound" });
      return { sessionId: refreshed.sessionId, valid: verified.valid, jkt: await (window as any).dpopKey().thumbprint() };
    });
    expect(afterReload).toEqual({ sessionId: stolen.sessionId, valid: true, jkt });
    const second = await openPage();
    const inSecond = await second.evaluate(async () => {
      const client = (window as any).makeClient();
      const refreshed = await client.sessions.refresh({ tag: "bound" });
      return { sessionId: refreshed.sessionId, jkt: await (window as any).dpopKey().thumbprint() };
    });
    expect(inSecond).toEqual({ sessionId: stolen.sessionId, jkt });
    await second.close();
  });

  it("two fresh tabs creating the origin's key at the same moment end with one key", async () => {
    const fresh = await browser.newContext();
    try {
      const [a, b] = await Promise.all([openPage(fresh), openPage(fresh)]);
      const thumbprints = await Promise.all([a, b].map((p) => p.evaluate(() => (window as any).dpopKey().thumbprint())));
      const again = await a.evaluate(async () => {
        // A new page load forgets the in-memory promise: this reads IndexedDB's winner.
        location.reload();
      }).then(async () => {
        await a.waitForFunction(() => (window as any).ready === true);
        return a.evaluate(() => (window as any).dpopKey().thumbprint());
      });
      expect(thumbprints[0]).toBe(thumbprints[1]);
      expect(again).toBe(thumbprints[0]);
    } finally {
      await fresh.close();
    }
  });
});
