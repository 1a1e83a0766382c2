// Chromium for the bench: Debian's /usr/bin/chromium driven by playwright-core (never a
// downloaded browser), and a loopback origin serving a blank page, tessera's script-tag build
// (src/browser.ts bundled as an IIFE, global `Tessera`) and, under /v1/, a counting endpoint.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CACHE, ROOT, importSource } from "./bundle.mjs";

export const CHROMIUM = "/usr/bin/chromium";
// TOOLCHAIN.md: without the networking flags Chromium floods the closed network.
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

const PAGE = `<!doctype html><meta charset="utf-8"><title>tessera bench</title><script src="/tessera.js"></script>`;

/** Why Chromium cannot run here, or null. */
export function chromiumUnavailable() {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} missing (apt-get install -y chromium)`;
}

export async function launchChromium() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/**
 * src/browser.ts as the IIFE a <script> tag loads (what tsup builds into dist/tessera.global.js;
 * the module assigns globalThis.Tessera itself, so no `globalName`).
 */
async function browserBuild() {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: [join(ROOT, "src/browser.ts")],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    logLevel: "silent",
    outfile: join(CACHE, "tessera.global.js"),
  });
  return result.outputFiles[0].contents;
}

/**
 * Serves the page, the build and `endpoint` (a fetch handler, e.g. countingEndpoint().fetch)
 * on one loopback origin, so pages call the endpoint same-origin. Resolves { url, close }.
 */
export async function servePages(endpoint) {
  const [{ serveNode }, script] = await Promise.all([importSource("src/node/index.ts", "node"), browserBuild()]);
  return serveNode(async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/") return new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8" } });
    if (pathname === "/tessera.js") return new Response(script, { headers: { "content-type": "text/javascript" } });
    if (pathname.startsWith("/v1/")) return endpoint(request);
    return new Response("not found", { status: 404 });
  });
}
