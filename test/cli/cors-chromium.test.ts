/**
 * A page on one origin using the client against `tessera dev` on another, in Debian's Chromium:
 * loopback pages work with no flag, another origin is refused until `--cors` names it, and the
 * refused call's error names the URL and points at CORS.
 */
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveNode, type NodeServer } from "../../src/node/index.js";
import { chromiumArgs, chromiumPath } from "../support/chromium.ts";
import { ensureBuilt, startDev, tempDir, type DevProcess } from "./spawn-dev.js";

const pageFor = (devUrl: string, publishableKey: string) => `<!doctype html><meta charset="utf-8"><title>app</title>
<script src="${devUrl}/tessera.global.js"></script>
<script>
  window.run = async () => {
    const client = Tessera.createClient({ baseUrl: ${JSON.stringify(devUrl)}, accessKey: ${JSON.stringify(publishableKey)}, product: "my-product-tag", env: "snd", retries: 0 });
    try {
      const started = await client.sessions.start({ tag: "guest", data: { userId: "cross-origin-user" } });
      const verified = await client.sessions.verify({ tag: "guest" });
      return { token: started.token.slice(0, 10), valid: verified.valid, identifier: verified.identifier };
    } catch (error) {
      return { code: error.code, message: error.message };
    }
  };
</script>`;

let browser: Browser;
let appBrowser: Browser | undefined;
const devs: DevProcess[] = [];
const pages: NodeServer[] = [];

beforeAll(async () => {
  await ensureBuilt();
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
}, 120_000);

/**
 * app.test: a non-loopback name for a page origin, mapped to this machine. The client needs a
 * secure context (WebCrypto, crypto.randomUUID), which http://app.test is not; a real app is
 * served over https, so the test tells Chromium to treat these origins as such.
 */
async function launchForApp(origins: string[]): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: chromiumPath,
    args: [...chromiumArgs, "--host-resolver-rules=MAP app.test 127.0.0.1", `--unsafely-treat-insecure-origin-as-secure=${origins.join(",")}`],
    headless: true,
  });
}

afterAll(async () => {
  await browser?.close();
  await appBrowser?.close();
  for (const page of pages) await page.close();
  for (const dev of devs) await dev.stop();
});

async function dev(args: string[] = []): Promise<DevProcess> {
  const cwd = tempDir();
  const started = await startDev(["--port", "0", "--data-dir", join(cwd, ".tessera"), ...args], cwd);
  devs.push(started);
  return started;
}

async function pageServer(html: () => string): Promise<NodeServer> {
  const server = await serveNode(async () => new Response(html(), { headers: { "content-type": "text/html" } }), { port: 0, hostname: "127.0.0.1" });
  pages.push(server);
  return server;
}

async function runIn(url: string, using = browser): Promise<Record<string, unknown>> {
  const page = await using.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url);
  await page.waitForFunction(() => typeof (window as unknown as { run?: unknown }).run === "function");
  const result = await page.evaluate(() => (window as unknown as { run: () => Promise<Record<string, unknown>> }).run());
  await page.close();
  expect(errors).toEqual([]);
  return result;
}

describe("a page on another origin against tessera dev", () => {
  it("works from a loopback page on another port with no flag", async () => {
    const endpoint = await dev();
    const page = await pageServer(() => pageFor(endpoint.url, endpoint.publishableKey));
    const pagePort = new URL(page.url).port;
    expect(pagePort).not.toBe(new URL(endpoint.url).port);
    expect(await runIn(`http://localhost:${pagePort}/`)).toEqual({ token: "guest:eyJh", valid: true, identifier: "guest:cross-origin-user" });
    expect(await runIn(`http://127.0.0.1:${pagePort}/`)).toMatchObject({ valid: true });
  });

  it("refuses another origin (NETWORK_ERROR naming the URL and CORS) until --cors names it", async () => {
    let refusing: DevProcess | undefined;
    let allowing: DevProcess | undefined;
    const refusedPage = await pageServer(() => pageFor(refusing!.url, refusing!.publishableKey));
    const allowedPage = await pageServer(() => pageFor(allowing!.url, allowing!.publishableKey));
    const refusedOrigin = `http://app.test:${new URL(refusedPage.url).port}`;
    const allowedOrigin = `http://app.test:${new URL(allowedPage.url).port}`;
    appBrowser = await launchForApp([refusedOrigin, allowedOrigin]);

    refusing = await dev();
    const refused = await runIn(`${refusedOrigin}/`, appBrowser);
    expect(refused).toEqual({ code: "NETWORK_ERROR", message: `sessions endpoint ${refusing.url}/v1/sessions/start: no response (often CORS)` });
    await expect.poll(() => refusing.stdout()).toMatch(/OPTIONS \/v1\/sessions\/start 403/);

    allowing = await dev(["--cors", allowedOrigin]);
    expect(allowing.stdout()).toContain(`browser origins  http://localhost:*, http://127.0.0.1:*, http://[::1]:*, ${allowedOrigin}`);
    expect(await runIn(`${allowedOrigin}/`, appBrowser)).toEqual({ token: "guest:eyJh", valid: true, identifier: "guest:cross-origin-user" });
  });
});
