/**
 * Issue 6 §3 in Chromium (playwright-core, Debian's browser), with real page reloads: the
 * script-tag build with its default storage (encrypted IndexedDB, non-extractable key in
 * IndexedDB) against the real endpoint on loopback. A tampered or swapped IndexedDB record,
 * the encryption key deleted, and IndexedDB failing with QuotaExceededError: the page gets an
 * `error` change, reads "no session", has no uncaught error or unhandled rejection, keeps its
 * other records, and can start again.
 */
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { NodeServer } from "../../src/node/index.js";
import { generateAccessKey } from "../../src/server/index.js";
import { launchChromium } from "../support/chromium.ts";
import { pageOrigin } from "../support/page-origin.ts";

const PUBLISHABLE = generateAccessKey("publishable");
const GUEST_KEY = "tessera:shop:prd:guest";
const VISITOR_KEY = "tessera:shop:prd:visitor";
let http: NodeServer;
let browser: Browser;
let context: BrowserContext;

const PAGE = `<!doctype html><meta charset="utf-8"><title>tessera storage attacks</title>
<script>
  window.problems = [];
  window.addEventListener("error", (e) => window.problems.push("error: " + e.message));
  window.addEventListener("unhandledrejection", (e) => window.problems.push("unhandled: " + (e.reason && e.reason.message || e.reason)));
</script>
<script src="/tessera.global.js"></script>
<script>
  window.events = [];
  window.makeClient = () => {
    const client = Tessera.createClient({ baseUrl: location.origin, accessKey: ${JSON.stringify(PUBLISHABLE)}, product: "shop", env: "prd", broadcast: false });
    client.sessions.onChange((e) => window.events.push(e.type === "error" ? "error:" + e.error.code : e.type + (e.reason ? ":" + e.reason : "")));
    return (window.client = client);
  };
  window.idb = (database, store, mode, fn) => new Promise((resolve, reject) => {
    const open = indexedDB.open(database);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction(store, mode);
      const request = fn(tx.objectStore(store));
      tx.oncomplete = () => { open.result.close(); resolve(request && request.result); };
      tx.onerror = () => reject(tx.error);
    };
  });
  window.raw = (key) => window.idb("tessera", "kv", "readonly", (s) => s.get(key));
  window.setRaw = (key, value) => window.idb("tessera", "kv", "readwrite", (s) => s.put(value, key));
</script>`;

beforeAll(async () => {
  http = await pageOrigin(PAGE, { publishableKey: PUBLISHABLE, tags: ["guest", "visitor"] });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await http?.close();
});

afterEach(async () => {
  await context?.close();
});

/** A fresh origin state (new context) with two sessions started: guest and visitor. */
async function pageWithSessions(): Promise<{ page: Page; guest: Info; visitor: Info; pageErrors: string[] }> {
  context = await browser.newContext();
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await load(page);
  const [guest, visitor] = (await page.evaluate(async () => {
    const client = (window as any).makeClient();
    return [
      await client.sessions.start({ tag: "guest", data: { guestId: "g-" + crypto.randomUUID() } }),
      await client.sessions.start({ tag: "visitor", data: { guestId: "v-" + crypto.randomUUID() } }),
    ];
  })) as [Info, Info];
  return { page, guest, visitor, pageErrors };
}

type Info = { token: string; refreshToken: string; sessionId: string };

async function load(page: Page, action: "goto" | "reload" = "goto"): Promise<void> {
  if (action === "goto") await page.goto(http.url);
  else await page.reload();
  await page.waitForFunction(() => typeof (window as any).Tessera?.createClient === "function");
}

async function afterReload(page: Page): Promise<{ guest: Info | null; visitor: Info | null; events: string[]; problems: string[] }> {
  await load(page, "reload");
  return page.evaluate(async () => {
    const client = (window as any).makeClient();
    const guest = await client.sessions.get({ tag: "guest" });
    const visitor = await client.sessions.get({ tag: "visitor" });
    await new Promise((r) => setTimeout(r, 50)); // let any stray rejection surface
    return { guest, visitor, events: (window as any).events, problems: (window as any).problems };
  });
}

describe("IndexedDB under attack, in Chromium", () => {
  it("a tampered record: error event, no session for it, the other record untouched, a new start works", async () => {
    const { page, guest, visitor, pageErrors } = await pageWithSessions();
    const record = (await page.evaluate((k) => (window as any).raw(k), GUEST_KEY)) as string;
    const visitorRecord = await page.evaluate((k) => (window as any).raw(k), VISITOR_KEY);
    expect(record).toMatch(/^v1\./);
    expect(record).not.toContain(guest.refreshToken.split(":")[1]!.slice(0, 20));
    const tampered = record.slice(0, 30) + (record[30] === "A" ? "B" : "A") + record.slice(31);
    await page.evaluate(([k, v]) => (window as any).setRaw(k, v), [GUEST_KEY, tampered]);

    const seen = await afterReload(page);
    expect(seen.guest).toBeNull();
    expect(seen.visitor?.sessionId).toBe(visitor.sessionId);
    expect(seen.events).toContain("error:STORAGE_ERROR");
    expect(seen.problems).toEqual([]);
    expect(await page.evaluate((k) => (window as any).raw(k), VISITOR_KEY)).toBe(visitorRecord);
    const again = (await page.evaluate(() => (window as any).client.sessions.start({ tag: "guest", data: { guestId: "g2" } }))) as Info;
    expect((await afterReload(page)).guest?.sessionId).toBe(again.sessionId);
    expect(pageErrors).toEqual([]);
  });

  it("a truncated record and a record swapped in from another key: both read as absent", async () => {
    const { page, visitor, pageErrors } = await pageWithSessions();
    const guestRecord = (await page.evaluate((k) => (window as any).raw(k), GUEST_KEY)) as string;
    await page.evaluate(([k, v]) => (window as any).setRaw(k, v), [VISITOR_KEY, guestRecord]); // swapped
    await page.evaluate(([k, v]) => (window as any).setRaw(k, v), [GUEST_KEY, guestRecord.slice(0, 25)]); // truncated
    const seen = await afterReload(page);
    expect(seen.guest).toBeNull();
    expect(seen.visitor).toBeNull();
    expect(seen.events.filter((e) => e === "error:STORAGE_ERROR").length).toBeGreaterThanOrEqual(2);
    expect(seen.problems).toEqual([]);
    expect(visitor.sessionId).toBeTruthy();
    expect(pageErrors).toEqual([]);
  });

  it("the encryption key deleted from IndexedDB: old records read as absent after a reload, new ones persist", async () => {
    const { page, pageErrors } = await pageWithSessions();
    // Delete every database but the records' own ("tessera"): the key store, whatever its layout.
    const deleted = (await page.evaluate(async () => {
      const names = (await indexedDB.databases()).map((d) => d.name!).filter((n) => n !== "tessera");
      (window as any).client.close();
      for (const name of names) {
        await new Promise((resolve, reject) => {
          const request = indexedDB.deleteDatabase(name);
          request.onsuccess = resolve;
          request.onerror = () => reject(request.error);
          request.onblocked = resolve;
        });
      }
      return names;
    })) as string[];
    expect(deleted.length).toBeGreaterThan(0);
    const seen = await afterReload(page);
    expect(seen.guest).toBeNull();
    expect(seen.visitor).toBeNull();
    expect(seen.events).toContain("error:STORAGE_ERROR");
    expect(seen.problems).toEqual([]);
    // A new key is made and a new session survives the next reload.
    const again = (await page.evaluate(() => (window as any).client.sessions.start({ tag: "guest", data: { guestId: "g3" } }))) as Info;
    const next = await afterReload(page);
    expect(next.guest?.sessionId).toBe(again.sessionId);
    expect(pageErrors).toEqual([]);
  });

  it("IndexedDB writes failing with QuotaExceededError: start still answers, an error event, nothing unhandled", async () => {
    const { page, visitor, pageErrors } = await pageWithSessions();
    await load(page, "reload");
    const result = await page.evaluate(async () => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function () {
        throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      };
      try {
        const client = (window as any).makeClient();
        const started = await client.sessions.start({ tag: "guest", data: { guestId: "g-quota" } });
        const visitorSession = await client.sessions.get({ tag: "visitor" });
        await new Promise((r) => setTimeout(r, 50));
        return { started: typeof started.token, visitor: visitorSession?.sessionId, events: (window as any).events, problems: (window as any).problems };
      } finally {
        IDBObjectStore.prototype.put = put;
      }
    });
    expect(result.started).toBe("string");
    expect(result.visitor).toBe(visitor.sessionId);
    expect(result.events).toContain("error:STORAGE_ERROR");
    expect(result.problems).toEqual([]);
    // With writes back, the page recovers: the visitor record was never damaged.
    const seen = await afterReload(page);
    expect(seen.visitor?.sessionId).toBe(visitor.sessionId);
    expect(pageErrors).toEqual([]);
  });
});
