import { builtScriptTag, bundleScriptTag } from "../../scripts/script-tag-build.mjs";
import { serveNode, type NodeServer } from "../../src/node/index.js";
import { createSessionServer, generateAccessKey, generateSecret, generateSigningKey, memoryStore } from "../../src/server/index.js";

/** dist/tessera.global.js when `npm run build` made it from the current sources, else the same build in memory. */
export async function scriptTagBuild(): Promise<string> {
  return (builtScriptTag() ?? (await bundleScriptTag())).toString("utf8");
}

/**
 * One loopback origin for a Chromium test: `page` at `/`, the script-tag build at
 * `/tessera.global.js`, and every other path to a real sessions endpoint whose product "shop"
 * (env "prd") has `tags`, each a public 15-minute guest session identified by `guestId`;
 * `endpoint` wraps that endpoint.
 */
export async function pageOrigin(
  page: string,
  options: { publishableKey: string; tags: string[]; endpoint?: (fetch: (request: Request) => Promise<Response>) => (request: Request) => Promise<Response> },
): Promise<NodeServer> {
  const server = createSessionServer({
    issuer: "http://127.0.0.1",
    keys: [await generateSigningKey()],
    secret: generateSecret(),
    store: memoryStore(),
    products: [
      {
        tag: "shop",
        envs: ["prd"],
        sessions: options.tags.map((tag) => ({ tag, schema: { guestId: "string" }, selector: "$Session{guestId}", expiry: 15, period: "mins", public: true })),
      },
    ],
    accessKeys: { secret: [generateAccessKey("secret")], publishable: [options.publishableKey] },
  });
  // A test may wrap the endpoint to count or drop what reaches it.
  const endpoint = options.endpoint ? options.endpoint((request) => server.fetch(request)) : (request: Request) => server.fetch(request);
  const script = await scriptTagBuild();
  return serveNode(async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/") return new Response(page, { headers: { "content-type": "text/html" } });
    if (pathname === "/tessera.global.js") return new Response(script, { headers: { "content-type": "text/javascript" } });
    if (pathname === "/favicon.ico") return new Response(null, { status: 404 });
    return endpoint(request);
  });
}
