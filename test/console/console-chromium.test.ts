import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevHandler } from "../../src/cli/dev-handler.js";
import { createConsole } from "../../src/console/index.js";
import { remoteAddress, serveNode, type NodeServer } from "../../src/node/index.js";
import { launchChromium } from "../support/chromium.ts";
import { CONSOLE_PRODUCTS, seededServer, TWO_TAGS, type SeededServer } from "./seed.js";

/**
 * The console in Debian's Chromium, against an endpoint seeded with a week of activity
 * (seed.ts): `tessera dev`'s handler (keyless page, the secret key added by the loopback-only
 * proxy) and the production mount (the page asks for the key). Each view is driven and
 * photographed into docs/ (README.md shows them).
 */
// TESSERA_SCREENSHOTS=1 refreshes the screenshots in docs/; other runs write them to a temp dir.
const DOCS = process.env.TESSERA_SCREENSHOTS ? join(import.meta.dirname, "../../docs") : mkdtempSync(join(tmpdir(), "tessera-console-"));
let seeded: SeededServer;
let dev: NodeServer;
let prod: NodeServer;
let browser: Browser;
let page: Page;
const bodies: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  seeded = await seededServer(300);
  const handler = createDevHandler({
    server: seeded.server.fetch,
    config: { products: CONSOLE_PRODUCTS } as never,
    accessKeys: { secret: seeded.secretKey, publishable: seeded.publishableKey },
    scriptFiles: [],
    peerAddress: (request) => remoteAddress(request),
  });
  dev = await serveNode(handler, { port: 0, hostname: "127.0.0.1" });
  const mounted = createConsole();
  prod = await serveNode((request) => (new URL(request.url).pathname.startsWith("/console") ? mounted(request) : seeded.server.fetch(request)), { port: 0, hostname: "127.0.0.1" });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 920 }, acceptDownloads: true });
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => message.type() === "error" && pageErrors.push(message.text()));
  page.on("response", (response) => {
    bodies.push(`${response.url()} ${JSON.stringify(response.headers())}`);
    void response.text().then((text) => bodies.push(text), () => {});
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await dev?.close();
  await prod?.close();
});

const shot = (name: string, fullPage = true) => page.screenshot({ path: join(DOCS, `console-${name}.png`), fullPage });
const number = async (selector: string) => Number(((await page.locator(selector).textContent()) ?? "").replace(/\D/g, ""));

describe("the sessions console in Chromium (tessera dev)", () => {
  it("Overview: active sessions, users, charts over 1 h / 24 h / 7 d, top failure reasons with reuse highlighted", async () => {
    await page.goto(`${dev.url}/console`);
    await page.waitForSelector(".kpis");
    expect(await number(".kpi:nth-child(1) .kpi-value")).toBeGreaterThan(50);
    await page.click(".segmented button:text('7d')");
    await page.waitForSelector(".segmented button[aria-pressed=true]:text('7d')");
    await page.waitForSelector(".chart svg polyline");
    expect(await number(".kpi:nth-child(2) .kpi-value")).toBeGreaterThan(100);
    // Reuse detections are highlighted, in the KPI and in the failure reasons.
    await expect.poll(() => page.locator(".kpi.alert").count()).toBe(1);
    expect(await page.locator(".bars li.hot .bar-label").textContent()).toBe("Refresh · reuse");
    expect(await page.locator(".chart svg").getAttribute("aria-label")).toMatch(/^Starts, refreshes and failures, last 7 days: Starts \d+/);
    await shot("overview");
    await page.click(".segmented button:text('1h')");
    await page.waitForSelector(".segmented button[aria-pressed=true]:text('1h')");
  });

  it("Users: search, active only, last seen, sessions count; keyboard reachable", async () => {
    await page.click("nav.side a:text('Users')");
    await page.waitForSelector("table tbody tr");
    expect(await page.locator("table tbody tr").count()).toBe(25);
    await page.focus("#user-search");
    await page.keyboard.type("ada.");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => [...document.querySelectorAll("tbody tr td:first-child")].every((td) => td.textContent!.startsWith("ada.")) && document.querySelectorAll("tbody tr").length > 0);
    await page.check("#user-active");
    await page.waitForSelector("#user-active:checked");
    await page.waitForFunction(() => [...document.querySelectorAll("tbody tr td:last-child")].every((td) => /active$/.test(td.textContent!) && !/inactive/.test(td.textContent!)));
    await page.uncheck("#user-active");
    await page.fill("#user-search", "");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 25 && !location.hash.includes("q="));
    await shot("users");
  });

  it("Users: every tag by default, a user seen under two tags listed once; one tag; all products and envs", async () => {
    const search = async (text: string) => {
      await page.fill("#user-search", text);
      await page.press("#user-search", "Enter");
      // The answer is rendered when every row matches (the rows before the search do not).
      await page.waitForFunction((t) => {
        const cells = [...document.querySelectorAll("tbody tr td:first-child")];
        return cells.length > 0 && cells.every((td) => td.textContent!.startsWith(t)) && document.getElementById("app")!.getAttribute("aria-busy") === "false";
      }, text);
    };
    const rows = () => page.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => `${tr.querySelector("td")!.textContent} ${tr.querySelector("td.num")!.textContent}`));
    const scopeIs = (label: string) => page.waitForFunction((l) => document.getElementById("users-count")?.textContent?.endsWith(` in ${l}`) === true, label);

    expect(await page.locator("#scope-tag").inputValue()).toBe("");
    await scopeIs("shop · prd · all tags");
    await search("twice.");
    expect(await rows()).toEqual([`${TWO_TAGS} 2`]);

    await page.selectOption("#scope-tag", "web");
    await scopeIs("shop · prd · web");
    await search("twice.");
    expect(await rows()).toEqual([`${TWO_TAGS} 1`]);

    await page.selectOption("#scope-product", "*");
    await scopeIs("all products · all envs · all tags");
    await search("staff-");
    expect(await page.locator("#users-count").textContent()).toMatch(/^\d+ in all products/);
    await search("twice.");
    expect(await rows()).toEqual([`${TWO_TAGS} 2`]);
    // Back to the first product's users, every env.
    await page.selectOption("#scope-product", "shop");
    await scopeIs("shop · all envs · all tags");
    await page.fill("#user-search", "");
    await page.press("#user-search", "Enter");
    await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 25 && !location.hash.includes("q="));
  });

  it("User: the journey across tags with generations and actions, filtered, exported, revoked", async () => {
    const first = page.locator("tbody tr td:first-child a").first();
    const identifier = (await first.textContent())!;
    await first.click();
    await page.waitForSelector("#timeline li");
    expect(await page.locator("h1").textContent()).toBe(identifier);
    expect(await page.locator("#user-sessions tbody tr").count()).toBeGreaterThan(0);
    await shot("user");
    await page.selectOption("#tl-op", "refresh");
    await page.waitForFunction(() => [...document.querySelectorAll("#timeline .op")].every((op) => op.textContent === "refresh") || document.querySelector(".notice.empty") !== null);
    await page.selectOption("#tl-op", "");
    await page.waitForFunction(() => !location.hash.includes("op="));
    const [csv] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
    const text = await (await csv.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString("utf8"));
    expect(csv.suggestedFilename()).toMatch(/\.csv$/);
    expect(text.split("\r\n")[0]).toBe("startAt,endAt,product,env,tag,identifier,sessionId,operation,status,action,message,data");
    expect(text).toContain(`"${identifier}"`);
    const [json] = await Promise.all([page.waitForEvent("download"), page.click("#export-json")]);
    const exported = JSON.parse(await (await json.createReadStream()).toArray().then((c) => Buffer.concat(c).toString("utf8")));
    expect(exported.identifier).toBe(identifier);
    expect(exported.events.length).toBeGreaterThan(0);

    // Revoke one active session, then all.
    const activeBefore = await page.locator("#user-sessions .badge.ok").count();
    if (activeBefore > 0) {
      await page.locator("#user-sessions button:text('Revoke')").first().click();
      await expect.poll(() => page.locator("#user-sessions .badge.ok").count()).toBe(activeBefore - 1);
    }
    page.once("dialog", (dialog) => void dialog.accept());
    if (activeBefore > 1) {
      await page.click("#revoke-all");
      await expect.poll(() => page.locator("#user-sessions .badge.ok").count()).toBe(0);
    }
    await expect.poll(() => page.locator("#timeline .op-revoke").count()).toBeGreaterThan(0);
  });

  it("User: the journey is read in one paged call across products, envs and tags, drawn by the shared timeline", async () => {
    const asked: string[] = [];
    const onRequest = (request: { url(): string }) => void (request.url().includes("/activity?") && asked.push(request.url()));
    page.on("request", onRequest);
    await page.evaluate((id) => (location.hash = `#/user/${encodeURIComponent(id)}`), TWO_TAGS);
    await page.waitForFunction((id) => document.querySelector("h1")?.textContent === id && document.querySelector("#timeline li") !== null, TWO_TAGS);
    page.off("request", onRequest);
    // Both tags' events in one list, newest first, and both sessions.
    const places = await page.locator("#timeline li.event .chip").allTextContents();
    expect(new Set(places)).toEqual(new Set(["shop/prd/web", "shop/prd/mobile"]));
    const times = await page.locator("#timeline li.event time").evaluateAll((ts) => ts.map((t) => Date.parse(t.getAttribute("datetime")!)));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(await page.locator("#user-sessions tbody tr").count()).toBe(2);
    expect(await page.locator("ol.timeline#timeline").getAttribute("aria-label")).toBe(`Timeline of ${TWO_TAGS}`);
    // One read (a short journey fits one page), scoped by nothing but the range.
    expect(asked).toHaveLength(1);
    expect(new URL(asked[0]!).searchParams.has("product")).toBe(false);
    expect(new URL(asked[0]!).searchParams.has("env")).toBe(false);
  });

  it("Sessions: filter by product, env, tag and status", async () => {
    await page.click("nav.side a:text('Sessions')");
    await page.waitForSelector("table tbody tr");
    expect(await page.locator("tbody .badge:text('ended')").count()).toBe(0);
    await page.selectOption("#session-status", "all");
    await expect.poll(() => page.locator("tbody .badge:text('ended')").count()).toBeGreaterThan(0);
    await page.selectOption("#scope-tag", "mobile");
    await page.waitForFunction(() => location.hash.includes("tag=mobile") && document.querySelector("#view-title") !== null);
    await page.waitForSelector("table tbody tr");
    await shot("sessions");
    await page.selectOption("#scope-product", "backoffice");
    await page.waitForFunction(() => location.hash.includes("product=backoffice"));
    await page.waitForSelector("table tbody tr");
    expect(await page.locator("tbody td:nth-child(2)").first().textContent()).toMatch(/^staff-/);
    await page.selectOption("#scope-product", "shop");
    await page.waitForFunction(() => location.hash.includes("product=shop"));
  });

  it("Live: new events appear without a reload", async () => {
    await page.click("nav.side a:text('Live')");
    await page.waitForSelector("#feed li");
    const before = await page.locator("#feed li").count();
    expect(before).toBeGreaterThan(0);
    await seeded.server.fetch(new Request("http://127.0.0.1/v1/sessions/start", {
      method: "POST",
      headers: { authorization: `Bearer ${seeded.secretKey}`, "content-type": "application/json" },
      body: JSON.stringify({ product: "shop", env: "prd", tag: "web", data: { userId: "live.visitor@example.com" } }),
    }));
    await page.waitForSelector("#feed li a:text('live.visitor@example.com')", { timeout: 8_000 });
    expect(await page.locator("#live-count").textContent()).toMatch(/new since you opened/);
    await shot("live", false);
    await page.click("#live-toggle");
    expect(await page.locator("#live-state").textContent()).toBe("Paused");
  });

  it("never receives the secret key: not in the page, its script, its style or any answer", async () => {
    for (const path of ["/console", "/console/app.js", "/console/app.css"]) {
      const response = await fetch(`${dev.url}${path}`);
      const text = await response.text();
      expect(text).not.toContain(seeded.secretKey);
      expect(text).not.toMatch(/tsk_[A-Za-z0-9_-]{32,}/);
      expect(response.headers.get("content-security-policy")).toMatch(/script-src 'self'; style-src 'self'/);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(bodies.length).toBeGreaterThan(20);
    for (const body of bodies) expect(body).not.toContain(seeded.secretKey);
    expect(pageErrors).toEqual([]);
  });

  it("refuses the proxy to another origin and to routes that are not the console's", async () => {
    const crossSite = await fetch(`${dev.url}/console/api/v1/products`, { headers: { origin: "https://evil.example" } });
    expect(crossSite.status).toBe(403);
    const start = await fetch(`${dev.url}/console/api/v1/sessions/start`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(start.status).toBe(404);
    const form = await fetch(`${dev.url}/console/api/v1/sessions/revoke-all`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=1" });
    expect(form.status).toBe(400);
  });
});

describe("the sessions console in production (createConsole)", () => {
  it("asks for a secret key, keeps it in memory only, and forgets it on reload", async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    const p = await context.newPage();
    await p.goto(`${prod.url}/console`);
    await p.waitForSelector("#secret-key");
    await p.screenshot({ path: join(DOCS, "console-login.png") });
    await p.fill("#secret-key", seeded.publishableKey);
    await p.click("button[type=submit]");
    await expect.poll(() => p.locator("#key-error").textContent()).toMatch(/secret keys start with tsk_/);
    await p.fill("#secret-key", "tsk_" + "x".repeat(40));
    await p.click("button[type=submit]");
    await expect.poll(() => p.locator("#key-error").textContent()).toMatch(/refused/);
    await p.fill("#secret-key", seeded.secretKey);
    await p.keyboard.press("Enter");
    await p.waitForSelector(".kpis");
    const stored = await p.evaluate(async () => ({
      local: localStorage.length,
      session: sessionStorage.length,
      idb: (await indexedDB.databases()).length,
      cookie: document.cookie,
      url: location.href,
    }));
    expect(stored).toEqual({ local: 0, session: 0, idb: 0, cookie: "", url: expect.not.stringContaining("tsk_") });
    await p.reload();
    await p.waitForSelector("#secret-key");
    await context.close();
  });

  it("serves only its own paths, with a strict CSP naming a cross-origin endpoint", async () => {
    const handler = createConsole({ endpoint: "https://sessions.example.com", basePath: "/ops/console" });
    const answer = await handler(new Request("https://ops.example.com/ops/console"));
    expect(answer.headers.get("content-security-policy")).toContain("connect-src 'self' https://sessions.example.com");
    expect(await answer.text()).toContain('<script src="/ops/console/app.js" defer></script>');
    expect((await handler(new Request("https://ops.example.com/ops/console/other"))).status).toBe(404);
    expect((await handler(new Request("https://ops.example.com/ops/console", { method: "POST" }))).status).toBe(405);
    expect(() => createConsole({ endpoint: "javascript:alert(1)" })).toThrow(/endpoint/);
  });
});

