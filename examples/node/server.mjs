// Serves the app backend (app.mjs) on node:http, plus the browser examples and the built
// package files they load, so `node examples/node/server.mjs` runs everything on one origin.
//
//   npm start                            # build, then the endpoint (tessera dev) on :8787; prints both keys
//   TESSERA_SECRET_KEY=tsk_… TESSERA_PUBLISHABLE_KEY=tpk_… node examples/node/server.mjs
//   open http://127.0.0.1:3000/browser/iife.html  (or esm.html)
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { nodeListener } from "tessera-sessions/node";
import { createApp } from "./app.mjs";

const root = resolve(import.meta.dirname, "../..");
// URL prefix -> folder. Only these are readable; node_modules only for the two packages the
// ESM page's import map names (examples/browser/esm.html).
const STATIC = [
  ["/browser/", resolve(root, "examples/browser")],
  ["/dist/", resolve(root, "dist")],
  ["/node_modules/ky/", resolve(root, "node_modules/ky")],
  ["/node_modules/idb-keyval/", resolve(root, "node_modules/idb-keyval")],
];
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".json": "application/json", ".map": "application/json" };

/** @param {Parameters<typeof createApp>[0] & { port?: number, hostname?: string }} options */
export async function startExampleServer(options) {
  const app = createApp(options);
  // nodeListener (tessera/node) turns node:http's request into a fetch Request and writes the
  // Response back, streaming both ways; the static files are just another fetch handler.
  const server = createServer(nodeListener(async (request) => {
    try {
      return (await serveStatic(new URL(request.url).pathname)) ?? (await app(request));
    } catch (error) {
      console.error("app error:", error instanceof Error ? error.message : error);
      return new Response('{"error":{"code":"INTERNAL","message":"internal error"}}', { status: 500, headers: { "content-type": "application/json" } });
    }
  }));
  const hostname = options.hostname ?? "127.0.0.1";
  await new Promise((done, fail) => server.once("error", fail).listen(options.port ?? 3000, hostname, done));
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  return {
    url: `http://${hostname}:${port}`,
    close: () => new Promise((done) => { server.close(() => done(undefined)); server.closeAllConnections(); }),
  };
}

async function serveStatic(pathname) {
  if (pathname === "/") return new Response(null, { status: 302, headers: { location: "/browser/iife.html" } });
  for (const [prefix, dir] of STATIC) {
    if (!pathname.startsWith(prefix)) continue;
    const file = resolve(dir, decodeURIComponent(pathname.slice(prefix.length)));
    if (!file.startsWith(dir + sep)) return new Response("not found", { status: 404 }); // no ../ escapes
    try {
      return new Response(await readFile(file), { headers: { "content-type": TYPES[extname(file)] ?? "application/octet-stream" } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  }
  return undefined;
}

// Run directly: read the endpoint and keys from the environment.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const need = (name) => process.env[name] || (console.error(`set ${name} (tessera dev prints it)`), process.exit(2));
  const server = await startExampleServer({
    endpoint: process.env.TESSERA_URL ?? "http://127.0.0.1:8787",
    secretKey: need("TESSERA_SECRET_KEY"),
    publishableKey: need("TESSERA_PUBLISHABLE_KEY"),
    product: process.env.TESSERA_PRODUCT ?? "my-product-tag",
    env: process.env.TESSERA_ENV ?? "snd",
    tag: process.env.TESSERA_TAG ?? "session-tag",
    port: Number(process.env.PORT ?? 3000),
  });
  console.log(`example app on ${server.url}  (pages: ${server.url}/browser/iife.html, ${server.url}/browser/esm.html)`);
}
