import { readFile } from "node:fs/promises";
import { errorResponse, json, methodNotAllowed } from "../server/http/respond.js";
import { invalidArgument, SessionError } from "../shared/errors.js";
import type { FetchHandler } from "../node/index.js";
import type { DevConfig, ProductView } from "./config-file.js";
import { PAGE as DEMO_PAGE, SCRIPT as DEMO_SCRIPT, STYLE as DEMO_STYLE } from "tessera-demo-ui:assets";
import { createDevConsole } from "./dev-console.js";

export interface DevHandlerOptions {
  /** The sessions endpoint (`createSessionServer(...).fetch`). */
  server: FetchHandler;
  config: DevConfig;
  accessKeys: { secret: string; publishable: string };
  /** Candidate paths of the built IIFE (dist/tessera.global.js); the first that exists is served. */
  scriptFiles: string[];
  /**
   * The socket peer's IP address of a request (tessera/node `remoteAddress`). The demo routes
   * answer only a loopback peer: `--host 0.0.0.0` must not hand the secret key's powers to the
   * network, whatever `Host` or absolute-form target a remote peer sends.
   */
  peerAddress: (request: Request) => string | undefined;
}

// The page loads only same-origin scripts and calls only this origin.
const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * `tessera dev`'s own routes in front of the endpoint: the demo page, the browser build, and
 * two dev-only routes that play the app's backend with the secret key, so the page itself
 * only ever holds the publishable key. Everything else goes to the endpoint untouched.
 */
export function createDevHandler(options: DevHandlerOptions): FetchHandler {
  const consoleRoute = createDevConsole({
    server: options.server,
    secretKey: options.accessKeys.secret,
    refusal: (request, url) => crossSiteRefusal(request, url, options.peerAddress(request)),
  });
  return async (request) => {
    const url = new URL(request.url);
    const { pathname } = url;
    if (pathname === "/" || pathname === "/index.html") return page(request, DEMO_PAGE, "text/html; charset=utf-8");
    if (pathname === "/demo/app.js") return page(request, DEMO_SCRIPT, "text/javascript; charset=utf-8");
    if (pathname === "/demo/app.css") return page(request, DEMO_STYLE, "text/css; charset=utf-8");
    if (pathname === "/tessera.global.js") return browserBuild(request, options.scriptFiles);
    if (pathname === "/demo" || pathname.startsWith("/demo/")) return demoRoute(request, url, options);
    if (pathname === "/console" || pathname.startsWith("/console/")) return consoleRoute(request);
    return options.server(request);
  };
}

async function demoRoute(request: Request, url: URL, options: DevHandlerOptions): Promise<Response> {
  const refused = crossSiteRefusal(request, url, options.peerAddress(request));
  if (refused) return refused;
  switch (url.pathname) {
    case "/demo/config":
      if (request.method !== "GET") return wrongMethod("GET");
      return json(200, demoConfig(options));
    case "/demo/login":
      if (request.method !== "POST") return wrongMethod("POST");
      return login(request, url, options);
    case "/demo/activity":
      if (request.method !== "GET") return wrongMethod("GET");
      return activity(url, options);
    default:
      return refuse(new SessionError("NOT_FOUND", `no demo route ${url.pathname}`));
  }
}

/** What the page needs to build its client: the publishable key, never the secret one. */
function demoConfig(options: DevHandlerOptions) {
  const products = (options.config.products as ProductView[]).map((product) => ({
    tag: product.tag,
    name: product.name ?? product.tag,
    envs: product.envs,
    sessions: (product.sessions ?? []).map((s) => ({ tag: s.tag, name: s.name ?? s.tag, public: s.public === true, binding: s.binding === "dpop" ? "dpop" : null })),
  }));
  return { publishableKey: options.accessKeys.publishable, products };
}

/**
 * The app's backend in miniature: after its own login it calls start with the SECRET key
 * (only a secret key may mint sessions for an identity) and hands the pair back. The page's
 * key thumbprint, `jkt` in the sign-in body, is passed on as `dpop: { jkt }`, so a session of a
 * `binding: "dpop"` config is bound to the page's key from its first token (docs/dpop.md).
 */
async function login(request: Request, url: URL, options: DevHandlerOptions): Promise<Response> {
  const headers = new Headers({
    "content-type": request.headers.get("content-type") ?? "application/json",
    authorization: `Bearer ${options.accessKeys.secret}`,
  });
  const idempotencyKey = request.headers.get("idempotency-key");
  if (idempotencyKey) headers.set("idempotency-key", idempotencyKey);
  const upstream = new Request(new URL("/v1/sessions/start", url), {
    method: "POST",
    headers,
    body: startBody(await request.text()),
  });
  return options.server(upstream);
}

/** The sign-in body as a start body: `jkt` moves to `dpop.jkt`. Anything not JSON goes on as is, for the endpoint to refuse. */
function startBody(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body) || !("jkt" in body)) return text;
  const { jkt, ...rest } = body as Record<string, unknown>;
  return JSON.stringify({ ...rest, dpop: { jkt } });
}

/** An operator's view (secret key): the identifier's timeline, oldest first. */
async function activity(url: URL, options: DevHandlerOptions): Promise<Response> {
  const identifier = url.searchParams.get("identifier");
  if (!identifier) {
    return refuse(invalidArgument("identifier", "is required"));
  }
  const target = new URL(`/v1/users/${encodeURIComponent(identifier)}/activity`, url);
  for (const name of ["product", "env", "tag", "page", "limit", "from", "to"]) {
    const value = url.searchParams.get(name);
    if (value) target.searchParams.set(name, value);
  }
  if (!target.searchParams.has("limit")) target.searchParams.set("limit", "100");
  return options.server(
    new Request(target, { headers: { authorization: `Bearer ${options.accessKeys.secret}`, accept: "application/json" } }),
  );
}

/**
 * The demo routes act with the secret key, so only the page itself may call them: refuse a
 * peer on another machine (socket address; headers cannot fake it), another site's page
 * (Origin) and DNS-rebinding hosts (Host must be a loopback name, or a page on an attacker's
 * name that now resolves to 127.0.0.1 would be same-origin with us).
 */
function crossSiteRefusal(request: Request, url: URL, peer: string | undefined): Response | undefined {
  if (peer === undefined || !isLoopbackAddress(peer)) {
    return refuse(new SessionError("FORBIDDEN", "demo routes answer only callers on this machine"));
  }
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== url.origin) {
    return refuse(new SessionError("FORBIDDEN", "demo routes answer only the demo page's origin"));
  }
  if (!isLoopbackHost(url.hostname)) {
    return refuse(new SessionError("FORBIDDEN", "demo routes answer only on a loopback host"));
  }
  return undefined;
}

/** Four decimal octets, each 0-255, the first 127: an IPv4 literal in 127.0.0.0/8 and nothing else. */
const LOOPBACK_V4 = /^127(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * A name or address of this machine only: an IPv4 literal in 127.0.0.0/8, `::1` (bracketed in
 * a URL, bare as a socket address) or `localhost`, each with an optional `:port`. Nothing that
 * merely starts like one: `127.attacker.example`, `127.0.0.1.nip.io` and `localhost.evil` are
 * names an attacker's DNS can point anywhere (DNS rebinding), so they are not loopback.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^(\[[^\]]*\]|[^:]*)(:\d{1,5})?$/, "$1");
  return name === "localhost" || name === "[::1]" || host === "::1" || LOOPBACK_V4.test(name);
}

/** A socket address on this machine: 127.0.0.0/8 or ::1, also IPv4-mapped (`::ffff:127.0.0.1`, a dual-stack socket). */
export function isLoopbackAddress(address: string): boolean {
  const v4 = address.toLowerCase().replace(/^::ffff:/, "");
  return address === "::1" || LOOPBACK_V4.test(v4);
}

async function browserBuild(request: Request, files: string[]): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") return wrongMethod("GET");
  for (const file of files) {
    try {
      const body = await readFile(file);
      return new Response(body, {
        headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" },
      });
    } catch {
      // try the next candidate
    }
  }
  return new Response("// tessera.global.js is not built yet: run `npm run build`\n", {
    status: 404,
    headers: { "content-type": "text/javascript; charset=utf-8" },
  });
}

function page(request: Request, body: string, type: string): Response {
  if (request.method !== "GET" && request.method !== "HEAD") return wrongMethod("GET");
  return new Response(body, {
    headers: {
      "content-type": type,
      "cache-control": "no-cache",
      "content-security-policy": PAGE_CSP,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    },
  });
}

/** The demo routes' errors, shaped and sent as the endpoint's own (respond.ts). */
function refuse(error: SessionError): Response {
  return errorResponse(error, () => {});
}

const wrongMethod = (allow: string) => refuse(methodNotAllowed([allow]));
