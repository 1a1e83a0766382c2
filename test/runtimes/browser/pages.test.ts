import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../../support/chromium.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startExampleServer } from "../node/examples.ts";
import { serveNode, type NodeServer } from "../../../src/node/index.ts";
import { createSessionServer, generateAccessKey, generateSecret, memoryStore } from "../../../src/server/index.ts";
import { testKeys } from "../../server/helpers.ts";

// examples/browser/{iife,esm}.html in Debian's Chromium, served with the built dist/ by the
// Node example app, in front of the real endpoint on loopback (issue 4, part 3).
const root = resolve(import.meta.dirname, "../../..");
const config = JSON.parse(readFileSync(resolve(root, "examples/tessera.config.json"), "utf8"));

const store = memoryStore();
let endpoint: NodeServer;
let app: { url: string; close(): Promise<void> };
let browser: Browser;
beforeAll(async () => {
  for (const file of ["dist/tessera.global.js", "dist/index.js"]) {
    if (!existsSync(resolve(root, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
  const secret = generateAccessKey("secret");
  const publishable = generateAccessKey("publishable");
  const server = createSessionServer({
    issuer: "http://127.0.0.1", keys: await testKeys(), secret: generateSecret(), store,
    products: config.products, accessKeys: { secret: [secret], publishable: [publishable] },
  });
  endpoint = await serveNode(server.fetch);
  app = await startExampleServer({ endpoint: endpoint.url, secretKey: secret, publishableKey: publishable,
    product: "my-product-tag", env: "snd", tag: "session-tag", port: 0 });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await endpoint?.close();
});

/** Every value in every IndexedDB database of the page's origin, as text (CryptoKeys show as {}). */
const dumpIndexedDB = (page: Page) => page.evaluate(async () => {
  const out: string[] = [];
  for (const { name } of await indexedDB.databases()) {
    const db = await new Promise<IDBDatabase>((done, fail) => {
      const open = indexedDB.open(name!);
      open.onsuccess = () => done(open.result);
      open.onerror = () => fail(open.error);
    });
    for (const storeName of Array.from(db.objectStoreNames)) {
      const values = await new Promise<unknown[]>((done) => {
        const request = db.transaction(storeName).objectStore(storeName).getAll();
        request.onsuccess = () => done(request.result);
      });
      out.push(JSON.stringify(values));
    }
    db.close();
  }
  return out.join("\n");
});

describe.each([
  { file: "iife.html", loads: "/dist/tessera.global.js", never: "/dist/index.js" },
  { file: "esm.html", loads: "/dist/index.js", never: "/dist/tessera.global.js" },
])("examples/browser/$file in Chromium", ({ file, loads, never }) => {
  it("starts through the app, calls its API, refreshes, survives a reload, and ends", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const requested: string[] = [];
    const problems: string[] = [];
    page.on("request", (r) => void requested.push(new URL(r.url()).pathname));
    page.on("pageerror", (e) => void problems.push(e.message));
    page.on("response", (r) => void (r.status() >= 400 && problems.push(`${r.status()} ${new URL(r.url()).pathname}`)));
    page.on("console", (m) => void (m.type() === "error" && problems.push(m.text())));
    try {
      await page.goto(`${app.url}/browser/${file}`);
      await page.waitForSelector("body[data-ready=true]");
      expect(await page.getAttribute("body", "data-state")).toBe("signed-out");

      await page.click("#login");
      await page.waitForSelector("body[data-state=signed-in]");
      const sessionId = (await page.textContent("#session-id"))!;
      expect(await store.getSession(sessionId)).toMatchObject({ identifier: "1919102009383", generation: 0, revokedAt: null });

      await page.click("#me");
      await page.waitForFunction(() => document.getElementById("me-result")!.textContent!.startsWith("200"));
      expect(JSON.parse((await page.textContent("#me-result"))!.slice(4))).toMatchObject({ userId: "1919102009383", sessionId });

      await page.click("#refresh");
      await page.waitForFunction(() => document.getElementById("refreshes")!.textContent === "1");
      expect((await store.getSession(sessionId))?.generation).toBe(1);

      // Encrypted at rest: IndexedDB holds ciphertext, never a JWT or refresh token in clear.
      const dump = await dumpIndexedDB(page);
      expect(dump).toMatch(/"v1\.[\w-]+\.[\w-]{200,}"/); // encryptedStorage's envelope
      expect(dump).not.toMatch(/eyJ|session-tag:[A-Za-z0-9_-]{20}/);

      await page.reload();
      await page.waitForSelector("body[data-ready=true]");
      expect(await page.getAttribute("body", "data-state")).toBe("signed-in");
      expect(await page.textContent("#session-id")).toBe(sessionId);

      await page.click("#end");
      await page.waitForSelector("body[data-state=signed-out]");
      await expect.poll(async () => (await store.getSession(sessionId))?.revokedAt).not.toBeNull();
      expect(await page.textContent("#error")).toBe("");

      expect(requested).toContain(loads);
      expect(requested).not.toContain(never);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe("examples/browser", () => {
  it("shows a wrong password as the app's error code and stays signed out", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${app.url}/browser/iife.html`);
      await page.waitForSelector("body[data-ready=true]");
      await page.fill("#password", "wrong");
      await page.click("#login");
      await page.waitForFunction(() => document.getElementById("error")!.textContent !== "");
      expect(await page.textContent("#error")).toMatch(/^UNAUTHORIZED: /);
      expect(await page.getAttribute("body", "data-state")).toBe("signed-out");
    } finally {
      await context.close();
    }
  });
});
