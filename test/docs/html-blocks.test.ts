/**
 * Every html block of README.md, run verbatim in Debian's Chromium: the script URL pointed at
 * the packed tarball's dist/tessera.global.js, the endpoint a real `tessera dev`, the page's
 * own backend routes (/api/login, /api/me) played by this test. No uncaught error allowed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveNode, type NodeServer } from "../../src/node/index.js";
import { launchChromium } from "../support/chromium.ts";
import { scratchProject } from "../support/tarball.ts";
import { ensureBuilt, post, seedStart, startDev, tempDir, type DevProcess } from "../cli/spawn-dev.js";
import { blocksTestedBy, where } from "./blocks.ts";

let dev: DevProcess;
let browser: Browser;
let script: string;
const servers: NodeServer[] = [];

beforeAll(async () => {
  await ensureBuilt();
  const project = await scratchProject({ name: "docs-html" });
  script = readFileSync(join(project, "node_modules/tessera-sessions/dist/tessera.global.js"), "utf8");
  const cwd = tempDir();
  dev = await startDev(["--port", "0", "--data-dir", join(cwd, ".tessera")], cwd);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const server of servers) await server.close();
  await dev?.stop();
});

/** What a reader replaces: the CDN URL, the endpoint's URL, the publishable key placeholder. */
function localized(html: string): string {
  return html
    .replace("https://unpkg.com/tessera-sessions/dist/tessera.global.js", "/tessera.global.js")
    .replaceAll("https://sessions.example.com", dev.url)
    .replaceAll('"tpk_…"', JSON.stringify(dev.publishableKey));
}

describe("README html blocks in Chromium", () => {
  const blocks = blocksTestedBy(import.meta.filename);
  it("has blocks to run", () => expect(blocks.length).toBeGreaterThan(0));

  for (const block of blocks) {
    it(`${where(block)} runs with no uncaught error and sends the session with the app's request`, async () => {
      const html = localized(block.code);
      expect(html).not.toContain("unpkg.com");
      const seen: string[] = [];
      // The page's origin, another port than tessera dev's: its backend starts the session
      // with the secret key, as the snippet's comment says.
      const site = await serveNode(async (request) => {
        const { pathname } = new URL(request.url);
        if (pathname === "/") return new Response(`<!doctype html><meta charset="utf-8"><title>docs</title>\n${html}`, { headers: { "content-type": "text/html" } });
        if (pathname === "/tessera.global.js") return new Response(script, { headers: { "content-type": "text/javascript" } });
        if (pathname === "/api/login" && request.method === "POST") {
          const started = await post(`${dev.url}/v1/sessions/start`, dev.secretKey, seedStart);
          return Response.json(started.json, { status: started.status });
        }
        if (pathname === "/api/me") {
          seen.push(request.headers.get("authorization") ?? "");
          return Response.json({ userId: seedStart.data.userId });
        }
        if (pathname === "/favicon.ico") return new Response(null, { status: 204 });
        return new Response("not found", { status: 404 });
      });
      servers.push(site);
      const page = await browser.newPage();
      const errors: string[] = [];
      const logs: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      page.on("console", (message) => logs.push(`${message.type()}: ${message.text()}`));
      // localhost: a secure context, as https would be in production (WebCrypto needs one).
      await page.goto(`http://localhost:${new URL(site.url).port}/`);
      await expect.poll(() => seen.length, { timeout: 15_000 }).toBeGreaterThan(0);
      expect(seen[0]).toMatch(/^Session session-tag:eyJ/);
      await expect.poll(() => logs.join("\n")).toContain("signed in");
      expect(errors).toEqual([]);
      expect(logs.filter((l) => l.startsWith("error"))).toEqual([]);
      await page.close();
    });
  }
});
