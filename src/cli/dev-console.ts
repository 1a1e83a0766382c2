import { createConsole } from "../console/create-console.js";
import { errorResponse, methodNotAllowed } from "../server/http/respond.js";
import { SessionError } from "../shared/errors.js";
import type { FetchHandler } from "../node/index.js";

/** What the console may ask for through the dev proxy: reads, and revocations. Nothing mints sessions. */
const ALLOWED: { method: "GET" | "POST"; path: RegExp }[] = [
  { method: "GET", path: /^\/v1\/(stats|users|sessions|activity|products)$/ },
  { method: "GET", path: /^\/v1\/users\/[^/]+\/activity$/ },
  { method: "POST", path: /^\/v1\/sessions\/(revoke|revoke-all)$/ },
];

const API = "/console/api";

/**
 * `tessera dev`'s console at /console: the page in keyless mode, and a proxy under
 * /console/api/ that adds the secret key on the server side, so the key never reaches the
 * browser. Like the demo routes, the proxy answers only same-origin requests on a loopback
 * host (`refusal`, from dev-handler.ts).
 */
export function createDevConsole(options: {
  server: FetchHandler;
  secretKey: string;
  refusal: (request: Request, url: URL) => Response | undefined;
}): FetchHandler {
  const page = createConsole({ endpoint: API, keyless: true });
  return async (request) => {
    const url = new URL(request.url);
    if (!url.pathname.startsWith(`${API}/`)) return page(request);
    const refused = options.refusal(request, url);
    if (refused) return refused;
    const path = url.pathname.slice(API.length);
    const method = request.method === "HEAD" ? "GET" : request.method;
    const routes = ALLOWED.filter((r) => r.path.test(path));
    if (routes.length === 0) return refuse(new SessionError("NOT_FOUND", `the console proxy does not serve ${path}`));
    if (!routes.some((r) => r.method === method)) return refuse(methodNotAllowed(routes.map((r) => r.method)));
    const headers = new Headers({ authorization: `Bearer ${options.secretKey}`, accept: "application/json" });
    if (method === "POST") {
      // A JSON body only: another site's form cannot send one without a CORS preflight.
      if (!/^application\/json\b/i.test(request.headers.get("content-type") ?? "")) {
        return refuse(new SessionError("INVALID_ARGUMENT", "the console proxy takes JSON bodies only", { field: "content-type" }));
      }
      headers.set("content-type", "application/json");
    }
    const upstream = new Request(new URL(`${path}${url.search}`, url), {
      method: request.method,
      headers,
      ...(method === "POST" ? { body: await request.arrayBuffer() } : {}),
    });
    return options.server(upstream);
  };
}

const refuse = (error: SessionError) => errorResponse(error, () => {});
