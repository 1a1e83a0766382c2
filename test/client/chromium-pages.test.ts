/**
 * Real pages in Debian's Chromium (playwright-core), loading the script-tag build from a
 * real endpoint on loopback: a session survives a reload from encrypted IndexedDB, and two
 * pages of one origin refreshing at the same moment end with one valid session, no logout.
 */
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NodeServer } from "../../src/node/index.js";
import { generateAccessKey } from "../../src/server/index.js";
import { launchChromium } from "../support/chromium.ts";
import { pageOrigin } from "../support/page-origin.ts";

const PUBLISHABLE = generateAccessKey("publishable");
/** What the endpoint answered: `POST /v1/sessions/track 202`. */
const answers: string[] = [];
let http: NodeServer;
let browser: Browser;
let context: BrowserContext;

const PAGE = `<!doctype html><meta charset="utf-8"><title>tessera test page</title>
<script src="/tessera.global.js"></script>
<script>
  window.events = [];
  window.makeClient = (options = {}) => {
    if (window.client) window.client.close();
    const client = Tessera.createClient({ baseUrl: location.origin, accessKey: ${JSON.stringify(PUBLISHABLE)}, product: "shop", env: "prd", ...options });
    client.sessions.onChange((e) => window.events.push(e.type + (e.reason ? ":" + e.reason : "") + ":" + e.source));
    return (window.client = client);
  };
</script>`;

beforeAll(async () => {
  http = await pageOrigin(PAGE, {
    publishableKey: PUBLISHABLE,
    tags: ["guest"],
    endpoint: (fetch) => async (request) => {
      const response = await fetch(request);
      answers.push(`${request.method} ${new URL(request.url).pathname} ${response.status}`);
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

async function openPage(): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(http.url);
  await page.waitForFunction(() => typeof (window as any).Tessera?.createClient === "function");
  expect(errors).toEqual([]);
  return page;
}

type Info = { token: string; refreshToken: string; sessionId: string } | null;

describe("pages in Chromium against the real endpoint", () => {
  let first: Page;
  let started: Info;

  it("a session started in a page survives a reload (encrypted IndexedDB, no plaintext at rest)", async () => {
    first = await openPage();
    started = await first.evaluate(async () => {
      const client = (window as any).makeClient();
      return client.sessions.start({ tag: "guest", data: { guestId: "g-" + crypto.randomUUID() } });
    });
    expect(started!.token.startsWith("guest:eyJ")).toBe(true);
    const raw = await first.evaluate(
      () =>
        new Promise<string>((resolve, reject) => {
          const req = indexedDB.open("tessera");
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            const get = req.result.transaction("kv", "readonly").objectStore("kv").get("tessera:shop:prd:guest");
            get.onsuccess = () => resolve(get.result);
            get.onerror = () => reject(get.error);
          };
        }),
    );
    expect(raw).toMatch(/^v1\./);
    expect(raw).not.toContain(started!.token.split(":")[1]!.slice(0, 24));

    await first.reload();
    await first.waitForFunction(() => typeof (window as any).Tessera?.createClient === "function");
    const after: Info = await first.evaluate(() => (window as any).makeClient().sessions.get({ tag: "guest" }));
    expect(after).toMatchObject({ token: started!.token, sessionId: started!.sessionId });
  });

  it("two pages of one origin refreshing at the same moment end with one valid session and no logout", async () => {
    const second = await openPage();
    await first.evaluate(() => (window as any).makeClient());
    await second.evaluate(() => (window as any).makeClient());
    // Both pages rotate the same refresh token at the same moment.
    const refresh = () => (window as any).client.sessions.refresh({ tag: "guest" });
    const [a, b] = (await Promise.all([first.evaluate(refresh), second.evaluate(refresh)])) as [Info, Info];
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(a!.sessionId).toBe(started!.sessionId);
    expect(b!.sessionId).toBe(started!.sessionId);
    expect(a!.refreshToken).not.toBe(started!.refreshToken);
    // Settled state: both pages hold the same pair, and it verifies.
    await new Promise((r) => setTimeout(r, 200));
    const peek = () => (window as any).client.sessions.verify({ tag: "guest" });
    const [va, vb] = await Promise.all([first.evaluate(peek), second.evaluate(peek)]);
    expect(va).toMatchObject({ valid: true, sessionId: started!.sessionId });
    expect(vb).toMatchObject({ valid: true, sessionId: started!.sessionId });
    const events = [...(await first.evaluate(() => (window as any).events)), ...(await second.evaluate(() => (window as any).events))];
    expect(events.filter((e: string) => e.startsWith("ended"))).toEqual([]);
    // And the chain keeps rotating afterwards from either page.
    const again = (await second.evaluate(() => (window as any).client.sessions.refresh({ tag: "guest" }))) as Info;
    expect(again!.sessionId).toBe(started!.sessionId);
  });

  it("tracks an action with the publishable key (sessions.track is in the script-tag build; users is not)", async () => {
    const result = await first.evaluate(async () => {
      const client = (window as any).makeClient();
      const tracked = await client.sessions.track({ tag: "guest", action: "checkout", data: { items: 3 } });
      const refused = await client.sessions.track({ tag: "guest", action: "" }).catch((e: any) => `${e.code} ${e.field}`);
      return { tracked: tracked ?? null, refused, users: typeof client.users };
    });
    expect(result).toEqual({ tracked: null, refused: "INVALID_ARGUMENT action", users: "undefined" });
    expect(answers.filter((a) => a.includes("/track"))).toEqual(["POST /v1/sessions/track 202"]);
  });

  it("the key in IndexedDB is a non-extractable CryptoKey", async () => {
    const result = await first.evaluate(
      () =>
        new Promise<{ isKey: boolean; extractable: boolean; exported: string }>((resolve, reject) => {
          const req = indexedDB.open("tessera-keys");
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            const get = req.result.transaction("keys", "readonly").objectStore("keys").get("aes-gcm-256/v1");
            get.onsuccess = async () => {
              const key = get.result as CryptoKey;
              const exported = await crypto.subtle.exportKey("raw", key).then(() => "exported", (e) => e.name);
              resolve({ isKey: key instanceof CryptoKey, extractable: key.extractable, exported });
            };
            get.onerror = () => reject(get.error);
          };
        }),
    );
    expect(result).toEqual({ isKey: true, extractable: false, exported: "InvalidAccessError" });
  });
});
