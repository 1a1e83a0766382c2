import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../support/chromium.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, startDev, tempDir, type DevProcess } from "./spawn-dev.js";

/**
 * The demo page in Debian's Chromium against a real `tessera dev`: the page's bundled client
 * signs with the origin's DPoP key, a session of the bound tag starts through the app-backend
 * route with the page's key thumbprint, its token carries that `cnf.jkt`, the tokens read out of
 * the page are refused from Node without the key, the same key survives a reload, the IndexedDB
 * record is ciphertext, refresh rotates, end clears, the timeline shows it all, and no response
 * the page receives ever carries the secret key.
 */
let server: DevProcess;
let browser: Browser;
let page: Page;
const bodies: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  await ensureBuilt();
  const cwd = tempDir();
  server = await startDev(["--port", "0", "--data-dir", join(cwd, ".tessera")], cwd);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("response", (response) => {
    bodies.push(`${response.url()} ${JSON.stringify(response.headers())}`);
    void response.text().then((text) => bodies.push(text), () => {});
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

// textContent: what the page wrote (innerText is what CSS renders; see the heading test).
const text = async (selector: string) => (await page.locator(selector).textContent()) ?? "";

const SCOPE = { product: "my-product-tag", env: "snd", tag: "web" };
/** The signed-in user's timeline items on the demo page, to compare with the console's. */
let demoItems: string[] = [];
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.slice(token.indexOf(":") + 1).split(".")[1]!, "base64url").toString());

/** RFC 7638 thumbprint of the key pair in the page's IndexedDB, computed here, not by the client. */
const storedKeyThumbprint = () =>
  page.evaluate(async () => {
    const pair = await new Promise<CryptoKeyPair>((resolve, reject) => {
      const open = indexedDB.open("tessera-keys");
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const get = open.result.transaction("keys").objectStore("keys").get("ecdsa-p256/dpop/v1");
        get.onsuccess = () => resolve(get.result);
        get.onerror = () => reject(get.error);
      };
    });
    if (pair.privateKey.extractable) throw new Error("the private key is extractable");
    const { crv, kty, x, y } = await crypto.subtle.exportKey("jwk", pair.publicKey);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify({ crv, kty, x, y })));
    return btoa(String.fromCharCode(...new Uint8Array(digest))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  });

/** What a script in the page can read: the tokens, through the page's own client. */
const readOutOfPage = () =>
  page.evaluate(async (tag) => {
    const { client } = (window as unknown as { tesseraDemo: { client: { sessions: { get(a: { tag: string }): Promise<{ token: string; refreshToken: string }> } } } }).tesseraDemo;
    const { token, refreshToken } = await client.sessions.get({ tag });
    return { token, refreshToken };
  }, SCOPE.tag);

describe("the demo page in Chromium", () => {
  it("loads its bundled client with the origin's non-extractable DPoP key, on the bound tag", async () => {
    await page.goto(server.url);
    await page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
    expect(await page.evaluate(() => typeof (window as unknown as { tesseraDemo?: { client?: unknown } }).tesseraDemo?.client)).toBe("object");
    expect(await text("#page-jkt")).toBe(await storedKeyThumbprint());
    expect(await page.locator("#tag").inputValue()).toBe("web");
    expect(await text("#state")).toBe("none");
    expect(await page.locator("#refresh").isDisabled()).toBe(true);
  });

  it("starts a session through the app backend, bound to the page's key, and stores only ciphertext in IndexedDB", async () => {
    await page.click("#start");
    await page.waitForSelector("#token");
    const token = await text("#token");
    expect(token).toMatch(/^web:eyJ/);
    const jkt = await storedKeyThumbprint();
    expect(claimsOf(token).cnf).toEqual({ jkt });
    expect(await text("#cnf-jkt")).toBe(jkt);
    expect(await text("#binding")).toBe("bound to this browser's key");
    await expect.poll(() => text("#raw-check")).toBe("encrypted: no token in the stored bytes");
    const raw = await text("#raw-record");
    expect(raw.length).toBeGreaterThan(100);
    expect(raw).not.toContain(token.slice("web:".length));
    expect(raw).not.toContain("eyJ"); // no JWS part in clear either
    // The raw record as the page read it is what IndexedDB holds, under the client's key.
    const stored = await page.evaluate(
      () =>
        new Promise<unknown>((resolve, reject) => {
          const open = indexedDB.open("tessera");
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction("kv").objectStore("kv").get("tessera:my-product-tag:snd:web");
            get.onsuccess = () => resolve(get.result);
            get.onerror = () => reject(get.error);
          };
        }),
    );
    expect(stored).toBe(raw);
    // The console's timeline component: an <ol class="timeline"> of li.event, in a labelled region.
    await page.waitForSelector("#activity ol.timeline li.event .op-create");
    const region = page.getByRole("region", { name: /^Activity of 1919102009383/ });
    expect(await region.locator("ol.timeline li.event").count()).toBeGreaterThan(0);
    const item = region.locator("ol.timeline li.event").first();
    expect(await item.evaluate((li) => [...li.children].map((c) => `${c.tagName.toLowerCase()}.${c.className}`))).toEqual([
      "time.", "span.op op-create", "span.chip", "span.what", "span.mono muted",
    ]);
    expect(await item.locator(".chip").textContent()).toBe("my-product-tag/snd/web");
    // Readable times, machine-readable too.
    expect(Date.parse((await item.locator("time").getAttribute("datetime"))!)).toBeGreaterThan(Date.now() - 60_000);
    expect(await item.locator("time").textContent()).toMatch(/\d{1,2}:\d{2}:\d{2}/);
  });

  it("refuses the tokens read out of the page and replayed from Node without its key: refresh, verify, track", async () => {
    const stolen = await readOutOfPage();
    const post = (path: string, body: object, authorization = `Bearer ${server.publishableKey}`) =>
      fetch(`${server.url}${path}`, { method: "POST", headers: { authorization, "content-type": "application/json" }, body: JSON.stringify(body) });
    const refused = async (response: Response) => [response.status, ((await response.json()) as { error: { code: string } }).error.code];
    expect(await refused(await post("/v1/sessions/refresh", { ...SCOPE, refreshToken: stolen.refreshToken }))).toEqual([401, "DPOP_REQUIRED"]);
    expect(await refused(await post("/v1/sessions/verify", { ...SCOPE, token: stolen.token }))).toEqual([401, "DPOP_REQUIRED"]);
    expect(await refused(await post("/v1/sessions/track", { action: "stolen" }, `Session ${stolen.token}`))).toEqual([401, "DPOP_REQUIRED"]);
    // The refusals left the page's session as it was (a replay without the key is no reuse).
    expect(await readOutOfPage()).toEqual(stolen);
  });

  it("signs with the same key after a reload, and the bound session keeps working there", async () => {
    const jkt = await text("#page-jkt");
    const token = await text("#token");
    await page.reload();
    await page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
    expect(await text("#page-jkt")).toBe(jkt);
    await expect.poll(() => text("#token")).toBe(token);
    await page.click("#refresh");
    await expect.poll(() => text("#token")).not.toBe(token);
    expect(claimsOf(await text("#token")).cnf).toEqual({ jkt });
    expect(await text("#binding")).toBe("bound to this browser's key");
  });

  it("refreshes (a new token), verifies, then ends the session", async () => {
    const before = await text("#token");
    await page.click("#refresh");
    await expect.poll(() => text("#token")).not.toBe(before);
    expect(await text("#token")).toMatch(/^web:eyJ/);
    await expect.poll(() => text("#status")).toMatch(/^refreshed/);

    await page.click("#verify");
    await expect.poll(() => text("#verify-result")).toContain('"valid": true');
    expect(await text("#verify-result")).toContain('"identifier": "1919102009383"');
    // The seed config sets exposeData, so the page (publishable key) sees its own data.
    expect(await text("#verify-result")).toContain('"email": "fikayo@ductape.app"');
    await expect.poll(() => text("#activity-timeline")).toContain("verify");
    await page.screenshot({ path: "/tmp/tessera-demo.png", fullPage: true });

    await page.click("#end");
    await expect.poll(() => text("#state")).toBe("none");
    await expect.poll(() => text("#raw-record")).toBe("(empty)");
    expect(await page.locator("#token").count()).toBe(0);

    // end() clears the page at once and then revokes; the timeline reloads once the revoke is answered.
    await expect.poll(() => text("#activity-timeline")).toContain("revoke");
    const operations = await page.locator("#activity-timeline li.event .op").allTextContents();
    for (const operation of ["create", "refresh", "verify"]) expect(operations).toContain(operation);
    // Newest first, as in the console: the revoke on top, the create last.
    expect(operations[0]).toBe("revoke");
    expect(operations.at(-1)).toBe("create");
    demoItems = await page.locator("#activity-timeline li.event").evaluateAll((lis) => lis.map((li) => li.outerHTML));

    // Reloaded from the keyboard.
    await page.evaluate(() => document.getElementById("activity-timeline")!.setAttribute("data-old", ""));
    await page.focus("#load-activity");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#activity-timeline:not([data-old])");
  });

  it("starts a guest session with the publishable key alone", async () => {
    await page.click("#start-guest");
    await expect.poll(() => text("#token")).toMatch(/^guest:eyJ/);
    await expect.poll(() => text("#status")).toMatch(/with the publishable key$/);
  });

  it("shows identifiers and times in their own case (no CSS upper-casing inside headings)", async () => {
    const shown = await page.locator("#state").innerText();
    expect(shown).toMatch(/^active, \d+ s left$/);
    const who = await page.locator("#activity-who").innerText();
    // Guest identifiers are prefixed by the server (kept apart from real users).
    expect(who).toMatch(/^guest:guest-[0-9a-f]{8}\b/);
  });

  it("finds a stored guest session again after a reload: the guest tag is in the tag list", async () => {
    const token = await text("#token");
    await page.reload();
    await page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
    const tags = await page.locator("#tag option").evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(tags).toEqual(["session-tag", "web", "guest"]);
    await page.selectOption("#tag", "guest");
    await expect.poll(() => text("#token")).toBe(token);
    expect(await text("#state")).toMatch(/^active/);
  });

  it("links to the sessions console, which shows this endpoint's activity keyless", async () => {
    await page.click("#console-link");
    await page.waitForURL(/\/console/);
    await page.waitForSelector(".kpis");
    expect(await page.locator(".mode").textContent()).toBe("dev");
    // The demo's sessions are in env "snd"; the console opens on the product's first env.
    await page.selectOption("#scope-env", "snd");
    await page.waitForFunction(() => location.hash.includes("env=snd"));
    await page.click("nav.side a:text('Live')");
    await page.waitForSelector("#feed li .op-create");
    // The console's user view draws the same items: identical markup for the same events.
    await page.evaluate(() => (location.hash = "#/user/1919102009383"));
    await page.waitForSelector("#timeline li.event .op-create");
    const consoleItems = await page.locator("ol.timeline#timeline li.event").evaluateAll((lis) => lis.map((li) => li.outerHTML));
    expect(demoItems.length).toBeGreaterThanOrEqual(4);
    for (const item of demoItems) expect(consoleItems).toContain(item);
  });

  it("never receives the secret key and throws no page errors", async () => {
    expect(pageErrors).toEqual([]);
    expect(bodies.length).toBeGreaterThan(5);
    for (const body of bodies) expect(body).not.toContain(server.secretKey);
    expect(await page.content()).not.toContain(server.secretKey);
  });
});
