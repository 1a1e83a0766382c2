import type { FetchHandler } from "../node/index.js";
import type { Output } from "./dev.js";

// Path segments that carry a person's identifier (the session selector's value, often an
// e-mail address or user id): the route shape is logged, the value never is.
const IDENTIFIER_SEGMENT = /^(\/v1\/users\/)[^/]+/;

/** The path as the request log prints it: no query (it may name identifiers), identifiers masked. */
export function loggedPath(pathname: string): string {
  return pathname.replace(IDENTIFIER_SEGMENT, "$1:identifier");
}

/** One line per request: method, path, status, time. */
export function withRequestLog(handler: FetchHandler, output: Output): FetchHandler {
  return async (request) => {
    const started = performance.now();
    const response = await handler(request);
    const { pathname } = new URL(request.url);
    output.out(`${request.method} ${loggedPath(pathname)} ${response.status} ${Math.round(performance.now() - started)}ms`);
    return response;
  };
}
