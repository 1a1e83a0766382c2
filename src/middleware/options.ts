import type { JSONWebKeySet } from "jose";
import { configError } from "../server/config/config-error.js";
import { TAG_PATTERN } from "../shared/token-string.js";

/** The options of `sessionAuth` (tessera-sessions/hono and tessera-sessions/express). */
export interface SessionAuthOptions {
  /** The `iss` of the tokens: the endpoint's origin. */
  issuer: string;
  /** Only tokens of this product, env and session tag pass. Required: a missing scope would accept every other one. */
  product: string;
  env: string;
  tag: string;
  /**
   * `"offline"` (default): check the signature against the JWKS, no call per request; a revoked
   * session passes until its token expires. `"endpoint"`: ask the endpoint's verify route, which
   * sees revocations at once and returns `data` (with a secret access key).
   */
  mode?: "offline" | "endpoint";
  /** Offline: the public keys, or */
  jwks?: JSONWebKeySet;
  /** where to fetch them (cached). Default: `<issuer>/.well-known/jwks.json` when the issuer is a URL. */
  jwksUrl?: string | URL;
  /** Endpoint mode: the endpoint's base URL. Default: the issuer. */
  endpoint?: string | URL;
  /** Endpoint mode: the access key the verify call sends (`tsk_...`, or `tpk_...` without `data`). */
  accessKey?: string;
  /** Endpoint mode: how to reach it (a service binding's `fetch`, a test handler). Default: global fetch. */
  fetch?: (request: Request) => Promise<Response>;
  /** Also read the token from this cookie when there is no `Authorization: Session` header. */
  cookie?: string;
  /**
   * The public origin (`https://app.example.com`) when the app runs behind a proxy: DPoP proofs
   * name the URL the client called, not the one the app sees. Default: the request's own URL.
   */
  origin?: string;
  /** The realm named in `WWW-Authenticate`. Default `tessera`. */
  realm?: string;
  /** Outages (JWKS or endpoint unreachable). Receives no token. */
  onError?: (error: unknown) => void;
}

export interface NormalizedAuthOptions {
  issuer: string;
  scope: { product: string; env: string; tag: string };
  mode: "offline" | "endpoint";
  jwks: JSONWebKeySet | undefined;
  jwksUrl: string | undefined;
  endpoint: string | undefined;
  accessKey: string | undefined;
  fetch: (request: Request) => Promise<Response>;
  cookie: string | undefined;
  origin: string | undefined;
  realm: string;
  onError: (error: unknown) => void;
}

/** RFC 6265 §4.1.1: a cookie name is a token (RFC 9110 §5.6.2). */
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REALM = /^[\x20-\x7e]{1,64}$/;

/** Every option checked once, at creation (STYLE.md §7): a missing scope is INVALID_CONFIG here, not a silent pass later. */
export function normalizeAuthOptions(options: SessionAuthOptions): NormalizedAuthOptions {
  if (typeof options !== "object" || options === null) throw configError("options", "sessionAuth needs an options object");
  const o = options;
  if (typeof o.issuer !== "string" || o.issuer === "") throw configError("issuer", "is required (the endpoint's origin)");
  for (const name of ["product", "env", "tag"] as const) {
    if (typeof o[name] !== "string" || !TAG_PATTERN.test(o[name])) {
      throw configError(name, "is required: the middleware accepts only tokens of one product, env and tag");
    }
  }
  const mode = o.mode ?? "offline";
  if (mode !== "offline" && mode !== "endpoint") throw configError("mode", 'must be "offline" or "endpoint"');
  if (o.cookie !== undefined && (typeof o.cookie !== "string" || !COOKIE_NAME.test(o.cookie))) throw configError("cookie", "must be a cookie name");
  if (o.realm !== undefined && (typeof o.realm !== "string" || !REALM.test(o.realm) || o.realm.includes('"'))) {
    throw configError("realm", "must be printable ASCII without quotes");
  }
  let origin: string | undefined;
  if (o.origin !== undefined) {
    origin = typeof o.origin === "string" ? httpUrl(o.origin) : undefined;
    if (!origin || new URL(origin).origin !== o.origin.replace(/\/$/, "")) throw configError("origin", "must be an http(s) origin, such as https://app.example.com");
    origin = new URL(origin).origin;
  }
  if (o.fetch !== undefined && typeof o.fetch !== "function") throw configError("fetch", "must be a function");
  if (o.onError !== undefined && typeof o.onError !== "function") throw configError("onError", "must be a function");
  const issuerUrl = httpUrl(o.issuer);
  let jwksUrl: string | undefined;
  let endpoint: string | undefined;
  if (mode === "offline") {
    if (o.jwks !== undefined && (typeof o.jwks !== "object" || o.jwks === null || !Array.isArray(o.jwks.keys))) {
      throw configError("jwks", "must be a JSON Web Key Set ({ keys: [...] })");
    }
    if (o.jwks === undefined) {
      jwksUrl = o.jwksUrl !== undefined ? httpUrl(String(o.jwksUrl)) : issuerUrl && new URL("/.well-known/jwks.json", issuerUrl).href;
      if (!jwksUrl) throw configError("jwksUrl", "is required when the issuer is not an http(s) URL (or pass jwks)");
    }
  } else {
    endpoint = o.endpoint !== undefined ? httpUrl(String(o.endpoint)) : issuerUrl;
    if (!endpoint) throw configError("endpoint", "is required in endpoint mode when the issuer is not an http(s) URL");
    if (typeof o.accessKey !== "string" || !/^t[sp]k_/.test(o.accessKey)) throw configError("accessKey", "is required in endpoint mode (tsk_... or tpk_...)");
  }
  return {
    issuer: o.issuer,
    scope: { product: o.product, env: o.env, tag: o.tag },
    mode,
    jwks: o.jwks,
    jwksUrl,
    endpoint,
    accessKey: o.accessKey,
    // Bound late, so a test or polyfill that replaces globalThis.fetch later is still used.
    fetch: o.fetch ?? ((request) => fetch(request)),
    cookie: o.cookie,
    origin,
    realm: o.realm ?? "tessera",
    onError: o.onError ?? (() => {}),
  };
}

function httpUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}
