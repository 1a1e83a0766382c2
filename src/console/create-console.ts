import { PAGE, SCRIPT, STYLE } from "tessera-console-ui:assets";
import { configError } from "../server/config/config-error.js";

export interface ConsoleOptions {
  /**
   * The sessions endpoint the page calls (`/v1/...` is appended): a URL, or a path on the
   * console's own origin. Default: the console's origin. A cross-origin endpoint must allow the
   * console's origin in its `cors` option.
   */
  endpoint?: string;
  /** Where the console is mounted (default `/console`). */
  basePath?: string;
  /**
   * The page does not ask for a key: `endpoint` is a proxy that adds one after authenticating
   * the operator its own way (`tessera dev` does, on loopback only). Default false: the page
   * asks for a secret key and keeps it in memory only.
   */
  keyless?: boolean;
}

const NAME = /^\/[A-Za-z0-9._~\/-]*$/;

/**
 * The sessions console as a fetch handler: its page, script and style under `basePath`; 404
 * for anything else (route the rest of your paths elsewhere). The assets were bundled from
 * src/console/ui at build time. Strict CSP: scripts and styles from this origin only, requests
 * to this origin and the endpoint's only, no framing.
 */
export function createConsole(options: ConsoleOptions = {}): (request: Request) => Promise<Response> {
  const basePath = (options.basePath ?? "/console").replace(/\/$/, "");
  if (!NAME.test(basePath) || basePath === "") throw configError("basePath", 'must be a path such as "/console"');
  const endpoint = options.endpoint ?? "";
  let endpointOrigin = "";
  if (endpoint !== "" && !endpoint.startsWith("/")) {
    try {
      const url = new URL(endpoint);
      if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error();
      endpointOrigin = url.origin;
    } catch {
      throw configError("endpoint", "must be an http(s) URL or a path on the console's origin");
    }
  } else if (endpoint !== "" && !NAME.test(endpoint)) {
    throw configError("endpoint", "must be an http(s) URL or a path on the console's origin");
  }
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self'${endpointOrigin ? ` ${endpointOrigin}` : ""}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  const page = PAGE.replaceAll("{{base}}", escapeAttr(basePath))
    .replace("{{endpoint}}", escapeAttr(endpoint.replace(/\/$/, "")))
    .replace("{{mode}}", options.keyless ? "keyless" : "key");
  const assets: Record<string, [string, string]> = {
    [basePath]: [page, "text/html; charset=utf-8"],
    [`${basePath}/`]: [page, "text/html; charset=utf-8"],
    [`${basePath}/app.js`]: [SCRIPT, "text/javascript; charset=utf-8"],
    [`${basePath}/app.css`]: [STYLE, "text/css; charset=utf-8"],
  };
  return async (request) => {
    const asset = assets[new URL(request.url).pathname];
    if (!asset) return new Response("not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    return new Response(request.method === "HEAD" ? null : asset[0], {
      headers: {
        "content-type": asset[1],
        "cache-control": "no-cache",
        "content-security-policy": csp,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "x-frame-options": "DENY",
      },
    });
  };
}

const escapeAttr = (text: string) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
