import { invalidArgument, SessionError } from "../shared/errors.js";
import type { Handler, RequestContext, ServerContext } from "./context.js";
import { userActivity } from "./handlers/activity.js";
import { listSessions, listUsers } from "./handlers/list.js";
import { health, jwks } from "./handlers/meta.js";
import { refreshSession } from "./handlers/refresh.js";
import { revokeAllSessions, revokeSession } from "./handlers/revoke.js";
import { startSession } from "./handlers/start.js";
import { listProducts, recentActivity } from "./handlers/recent.js";
import { stats } from "./handlers/stats.js";
import { trackAction } from "./handlers/track.js";
import { verifySession } from "./handlers/verify.js";
import type { Cors } from "./http/cors.js";
import { errorResponse, methodNotAllowed } from "./http/respond.js";
import { freshNonces } from "./dpop/fresh-nonce.js";

interface Route {
  method: "GET" | "POST";
  pattern: RegExp;
  /** Names of the pattern's capture groups, in order. */
  params?: string[];
  /** No access key is looked at (a wrong one must not make the JWKS or health check fail). */
  open?: boolean;
  handler: Handler;
}

const ROUTES: Route[] = [
  { method: "POST", pattern: /^\/v1\/sessions\/start$/, handler: startSession },
  { method: "POST", pattern: /^\/v1\/sessions\/refresh$/, handler: refreshSession },
  { method: "POST", pattern: /^\/v1\/sessions\/verify$/, handler: verifySession },
  { method: "POST", pattern: /^\/v1\/sessions\/revoke$/, handler: revokeSession },
  { method: "POST", pattern: /^\/v1\/sessions\/revoke-all$/, handler: revokeAllSessions },
  { method: "POST", pattern: /^\/v1\/sessions\/track$/, handler: trackAction },
  { method: "GET", pattern: /^\/v1\/sessions$/, handler: listSessions },
  { method: "GET", pattern: /^\/v1\/users$/, handler: listUsers },
  { method: "GET", pattern: /^\/v1\/users\/([^/]+)\/activity$/, params: ["identifier"], handler: userActivity },
  { method: "GET", pattern: /^\/v1\/stats$/, handler: stats },
  { method: "GET", pattern: /^\/v1\/activity$/, handler: recentActivity },
  { method: "GET", pattern: /^\/v1\/products$/, handler: listProducts },
  { method: "GET", pattern: /^\/\.well-known\/jwks\.json$/, handler: jwks, open: true },
  { method: "GET", pattern: /^\/healthz$/, handler: health, open: true },
];

/** The fetch handler: route, identify the caller, run the handler; every error through errorResponse. */
export function createRouter(server: ServerContext, cors: Cors): (request: Request) => Promise<Response> {
  const routed = dispatch(server);
  const stampNonce = freshNonces(server);
  const route = stampNonce ? async (request: Request) => stampNonce(request, await routed(request)) : routed;
  return async (request) => cors.preflight(request) ?? cors.decorate(request, await route(request));
}

function dispatch(server: ServerContext): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      const url = new URL(request.url);
      // HEAD is GET without the body (RFC 9110 §9.3.2).
      const method = request.method === "HEAD" ? "GET" : request.method;
      // One pass, stopping at the route that serves the request: the path's other methods are
      // only needed for a 405.
      const allowed = new Set<string>();
      let route: Route | undefined;
      let match: RegExpExecArray | null = null;
      for (const candidate of ROUTES) {
        match = candidate.pattern.exec(url.pathname);
        if (match && candidate.method === method) {
          route = candidate;
          break;
        }
        if (match) allowed.add(candidate.method);
      }
      if (!route) {
        if (allowed.size === 0) throw new SessionError("NOT_FOUND", `no route for ${url.pathname}`);
        throw methodNotAllowed([...allowed].flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m])));
      }
      const params: Record<string, string> = {};
      route.params?.forEach((name, i) => {
        params[name] = decodeParam(match![i + 1]!, name);
      });
      const context: RequestContext = { request, url, params, caller: route.open ? null : await server.access.identify(request) };
      const response = await route.handler(server, context);
      return request.method === "HEAD" ? new Response(null, { status: response.status, headers: response.headers }) : response;
    } catch (error) {
      return errorResponse(error, server.onError);
    }
  };
}

function decodeParam(raw: string, name: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalidArgument(name, "in the path is not valid percent-encoding");
  }
}
