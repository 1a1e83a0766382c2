/**
 * Issue 10 §10: the tabs of one origin refreshing one session together. Real pages in Debian's
 * Chromium (playwright-core), the script-tag build, the default encrypted IndexedDB storage and
 * the real endpoint on loopback. Every page's client reaches the refresh margin at the same
 * moment (a shifted clock), as their background timers would. Goal: one rotation request per
 * rotation, zero logouts, also with a lost answer, a tab closed or crashed while it holds the
 * lock, and a tab stuck holding it.
 */
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { NodeServer } from "../../src/node/index.js";
import { generateAccessKey } from "../../src/server/index.js";
import { launchChromium } from "../support/chromium.ts";
import { pageOrigin } from "../support/page-origin.ts";

const PUBLISHABLE = generateAccessKey("publishable");
/**
 * The pages' client options come from the URL: `?timeout=1500&retries=0`. A tab waits for
 * another tab's lock at most timeout × (retries + 1) + 3 s × retries.
 */
const TIMEOUT_MS = 1_500;
const MINUTE = 60_000;
/** The Web Lock a tab holds while it rotates: named by the session's storage key. */
const LOCK = "tessera:shop:prd:guest";

const PAGE = `<!doctype html><meta charset="utf-8"><title>tessera tabs</title>
<script src="/tessera.global.js"></script>
<script>
  window.makeClient = (options) => {
    window.client?.close();
    window.events = [];
    window.offset = 0;
    window.client = Tessera.createClient({
      baseUrl: location.origin, accessKey: ${JSON.stringify(PUBLISHABLE)}, product: "shop", env: "prd",
      // Timers off: the test makes every page check at once, which is what their timers do.
      autoRefresh: false, now: () => Date.now() + window.offset, ...options,
    });
    window.client.sessions.onChange((e) => window.events.push(e.type + (e.reason ? ":" + e.reason : "")));
  };
</script>`;

/** What reached the endpoint's refresh route, and the faults to inject there. */
const endpoint = {
  refreshes: 0,
  issued: new Set<string>(),
  /** The next refresh is rotated by the server, then its answer is never sent (held until the client gives up). */
  loseNext: false,
  onLost: () => {},
  reset() {
    this.refreshes = 0;
    this.issued.clear();
    this.loseNext = false;
  },
};

let http: NodeServer;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  http = await pageOrigin(PAGE, {
    publishableKey: PUBLISHABLE,
    tags: ["guest"],
    endpoint: (fetch) => async (request) => {
      if (new URL(request.url).pathname !== "/v1/sessions/refresh") return fetch(request);
      endpoint.refreshes++;
      const response = await fetch(request);
      const body = (await response.clone().json()) as { refreshToken?: string };
      if (body.refreshToken) endpoint.issued.add(body.refreshToken);
      if (endpoint.loseNext) {
        endpoint.loseNext = false;
        endpoint.onLost();
        // Rotated on the server, answer lost: held until the client aborts (timeout, tab gone).
        await new Promise((resolve) => {
          request.signal.addEventListener("abort", resolve);
          setTimeout(resolve, 15_000);
        });
      }
      return response;
    },
  });
  browser = await launchChromium();
  context = await browser.newContext();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await http?.close();
});

afterEach(() => endpoint.reset());

type Info = { refreshToken: string; sessionId: string } | null;

/** Open tabs of one origin (one profile, so one IndexedDB), reused across tests; a test that kills one drops it. */
const pool: Page[] = [];

/**
 * `n` tabs with fresh clients (a tab waits for another's lock at most timeout × (retries + 1)
 * + 3 s × retries) and a new guest session started in the first.
 */
async function tabs(n: number, options = { timeout: TIMEOUT_MS, retries: 2 }): Promise<{ pages: Page[]; started: Info }> {
  while (pool.length < n) {
    pool.push(
      ...(await Promise.all(
        Array.from({ length: n - pool.length }, async () => {
          const page = await context.newPage();
          await page.goto(http.url);
          await page.waitForFunction(() => typeof (window as any).makeClient === "function");
          return page;
        }),
      )),
    );
  }
  const pages = pool.slice(0, n);
  await Promise.all(pages.map((p) => p.evaluate((o) => (window as any).makeClient(o), options)));
  const started = (await pages[0]!.evaluate(() => (window as any).client.sessions.start({ tag: "guest", data: { guestId: crypto.randomUUID() } }))) as Info;
  // Every tab has seen the new session (BroadcastChannel) before the test moves the clocks.
  await Promise.all(pages.map((p) => p.waitForFunction((id) => (window as any).client.sessions.get({ tag: "guest" }).then((s: any) => s?.sessionId === id), started!.sessionId)));
  return { pages, started };
}

/** A killed tab leaves the pool. */
const drop = (page: Page) => pool.splice(pool.indexOf(page), 1);

/** Every page's clock moves to `minutes` after the start: inside the refresh margin of the current token. */
const shiftClocks = (pages: Page[], minutes: number) => Promise.all(pages.map((p) => p.evaluate((ms) => ((window as any).offset = ms), minutes * MINUTE)));
const current = (page: Page) => page.evaluate(() => (window as any).client.sessions.get({ tag: "guest" })) as Promise<Info>;
const endedIn = async (pages: Page[]) => (await Promise.all(pages.map((p) => p.evaluate(() => (window as any).events as string[])))).flat().filter((e) => e.startsWith("ended"));

/** The session is alive on the server, and every page holds the same pair. */
async function expectOneLiveSession(pages: Page[], sessionId: string) {
  const held = await Promise.all(pages.map(current));
  expect(new Set(held.map((s) => s!.refreshToken)).size).toBe(1);
  expect(held[0]!.sessionId).toBe(sessionId);
  expect(await pages[0]!.evaluate(() => (window as any).client.sessions.verify({ tag: "guest" }))).toMatchObject({ valid: true, sessionId });
  expect(await endedIn(pages)).toEqual([]);
}

describe("tabs refreshing one session together (Web Locks, BroadcastChannel, grace window)", () => {
  it.each([5, 20])("%i tabs: one refresh request per rotation, three rotations, no logout", async (n) => {
    const { pages, started } = await tabs(n);
    let previous = started!.refreshToken;
    for (let round = 1; round <= 3; round++) {
      endpoint.reset();
      await shiftClocks(pages, round * 14.5);
      const seen = await Promise.all(pages.map(current));
      expect(endpoint.refreshes, `round ${round}`).toBe(1);
      expect(new Set(seen.map((s) => s!.refreshToken))).toEqual(new Set(endpoint.issued));
      expect(seen[0]!.refreshToken).not.toBe(previous);
      previous = seen[0]!.refreshToken;
    }
    await expectOneLiveSession(pages, started!.sessionId);
  }, 120_000); // opening 20 pages takes 5-25 s on a busy 2-core machine

  it("a lost answer: the lock holder's retry gets the same pair (grace window), the others wait and send nothing", async () => {
    const { pages, started } = await tabs(5);
    endpoint.loseNext = true;
    await shiftClocks(pages, 14.5);
    const seen = await Promise.all(pages.map(current));
    // The lost attempt and its retry: two requests, one rotation.
    expect(endpoint.refreshes).toBe(2);
    expect(endpoint.issued.size).toBe(1);
    expect(seen.every((s) => s!.refreshToken === [...endpoint.issued][0])).toBe(true);
    await expectOneLiveSession(pages, started!.sessionId);
  });

  it.each(["closed", "crashed"])("the lock holder %s mid-refresh (rotated, answer lost): the others proceed at once, no logout", async (how) => {
    const { pages, started } = await tabs(5);
    const [holder, ...others] = pages as [Page, ...Page[]];
    const lost = new Promise<void>((resolve) => (endpoint.onLost = resolve));
    endpoint.loseNext = true;
    await shiftClocks(pages, 14.5);
    const holding = current(holder).catch(() => "gone");
    await lost; // the holder's request rotated the session and the holder now waits, holding the lock
    const waiting = others.map(current);
    await new Promise((r) => setTimeout(r, 200)); // the others queue behind the lock
    const killed = performance.now();
    drop(holder);
    if (how === "closed") await holder.close();
    else void (await context.newCDPSession(holder)).send("Page.crash").catch(() => 0);
    const seen = await Promise.all(waiting);
    // The browser releases a dead tab's locks: well before the bound (1.5 × 3 + 3 × 2 = 10.5 s).
    expect(performance.now() - killed).toBeLessThan(3_000);
    expect(await holding).toBe("gone");
    // The dead tab's request and one successor's (answered from the grace window): one rotation.
    expect(endpoint.refreshes).toBe(2);
    expect(endpoint.issued.size).toBe(1);
    expect(seen.every((s) => s!.refreshToken === [...endpoint.issued][0])).toBe(true);
    await expectOneLiveSession(others, started!.sessionId);
  });

  it("a tab stuck holding the lock: the others give up waiting after the bound and refresh anyway, no logout", async () => {
    const { pages, started } = await tabs(5, { timeout: TIMEOUT_MS, retries: 0 });
    const [stuck, ...others] = pages as [Page, ...Page[]];
    drop(stuck); // it keeps the lock until it is gone

    await stuck.evaluate((name) => new Promise<void>((held) => void navigator.locks.request(name, () => (held(), new Promise(() => {})))), LOCK);
    await shiftClocks(others, 14.5);
    const began = performance.now();
    const seen = await Promise.all(others.map(current));
    const waited = performance.now() - began;
    // retries 0: the bound is one request timeout.
    expect(waited).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
    expect(waited).toBeLessThan(TIMEOUT_MS + 3_000);
    // Without the lock they race: one rotation, the rest answered from the grace window.
    expect(endpoint.issued.size).toBe(1);
    expect(seen.every((s) => s!.refreshToken === [...endpoint.issued][0])).toBe(true);
    await expectOneLiveSession(others, started!.sessionId);
    await stuck.close();
  });
});
