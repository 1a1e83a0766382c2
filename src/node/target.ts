/**
 * What the adapter must refuse itself, before a fetch `Request` exists: node:http accepts
 * requests that the Fetch standard cannot represent, and `new Request` throws on them. A throw
 * there used to become a 500; these checks turn each into the 4xx it is.
 */

/** A refusal the adapter answers itself: status, stable code, and a message that echoes no input. */
export interface Refusal {
  status: 400 | 405;
  code: "METHOD_NOT_ALLOWED" | "INVALID_ARGUMENT";
  message: string;
  field?: string;
}

/**
 * Methods a fetch Request cannot carry (Fetch standard, "forbidden method": CONNECT, TRACE,
 * TRACK). TRACE would also echo the request's headers, credentials included (RFC 9110 §9.3.8).
 */
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);
/** What the adapter can hand to a handler; a handler still answers 405 for its own routes. */
export const CARRIED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

/**
 * RFC 9110 §7.2 Host = uri-host [ ":" port ]; uri-host (RFC 3986 §3.2.2) is an IP-literal in
 * brackets, or a reg-name / IPv4 address made of unreserved characters, percent-escapes and
 * sub-delims. No userinfo (`@`), no whitespace, no unbalanced bracket.
 */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|\[v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*)(?::[0-9]{0,5})?$/;

/** A host name as a URL writes it: an IPv6 literal needs brackets (RFC 3986 §3.2.2). */
export const urlHost = (hostname: string): string => (hostname.includes(":") ? `[${hostname}]` : hostname);

export function refuseMethod(method: string): Refusal | null {
  if (!FORBIDDEN_METHODS.has(method.toUpperCase())) return null;
  return { status: 405, code: "METHOD_NOT_ALLOWED", message: `method not allowed; use ${CARRIED_METHODS}` };
}

/**
 * The request's URL, from its target and Host header (RFC 9112 §3.2), or a refusal. An
 * absolute-form target (`GET http://host/path`) names its own host, which must be as valid.
 */
export function requestUrl(target: string, host: string | undefined, fallbackHost: string, scheme: string): URL | Refusal {
  let url: URL;
  if (target.startsWith("/")) {
    if (host !== undefined && (host === "" || !HOST.test(host))) return badHost();
    try {
      url = new URL(`${scheme}://${host ?? fallbackHost}${target}`);
    } catch {
      return badHost();
    }
    return url;
  }
  if (/^https?:\/\//i.test(target)) {
    try {
      url = new URL(target);
    } catch {
      return badTarget();
    }
    if (url.username || url.password) return badTarget();
    return url;
  }
  return badTarget(); // asterisk-form (`OPTIONS *`) or authority-form: nothing a handler can route
}

const badHost = (): Refusal => ({ status: 400, code: "INVALID_ARGUMENT", message: "Host is not a valid host[:port] (RFC 9110 §7.2)", field: "Host" });
const badTarget = (): Refusal => ({ status: 400, code: "INVALID_ARGUMENT", message: "the request target is not a path or an http(s) URL without credentials" });

export const isRefusal = (value: URL | Refusal): value is Refusal => !(value instanceof URL);
