import type { SessionServer } from "tessera-sessions/server";
import { verifySessionToken, type VerifySessionTokenOptions } from "tessera-sessions/verify";
import type { Env } from "./env.ts";
import { BOUND_TAG, PRODUCT, SESSION_TAG } from "./products.ts";
import { json } from "./respond.ts";

type Jwks = NonNullable<VerifySessionTokenOptions["jwks"]>;

const JWKS_KV_KEY = "tessera/jwks";
/** jose's remote-JWKS max age (DESIGN.md); also above KV's 60 s minimum TTL. */
const JWKS_TTL_SECONDS = 600;

// Parsed once per isolate and per JWKS text, so verifySessionToken reuses its imported keys.
let parsed: { text: string; jwks: Jwks } | undefined;

/**
 * The JWKS, cached in KV for every isolate of this Worker (issue 4 part 6). Here the endpoint
 * is in the same Worker and is asked in-process; a separate Worker would fetch
 * `${issuer}/.well-known/jwks.json` (or pass `jwksUrl` and rely on the isolate's cache alone).
 */
async function loadJwks(env: Env, endpoint: SessionServer, fresh: boolean): Promise<Jwks> {
  let text = fresh ? null : await env.TOKENS.get(JWKS_KV_KEY, "text");
  if (text === null) {
    const response = await endpoint.fetch(new Request(new URL("/.well-known/jwks.json", env.TESSERA_ISSUER)));
    if (!response.ok) throw new Error(`the JWKS answered ${response.status}`);
    text = await response.text();
    await env.TOKENS.put(JWKS_KV_KEY, text, { expirationTtl: JWKS_TTL_SECONDS });
  }
  if (parsed?.text !== text) parsed = { text, jwks: JSON.parse(text) as Jwks };
  return parsed.jwks;
}

/**
 * `/api/*`: the app's own API, behind offline verification of `Authorization: Session <tag>:<jwt>`.
 * No call to the endpoint per request; the price is that a revoked session's token stays
 * valid here until it expires (15 minutes): use the verify route where that matters.
 */
export async function handleApi(request: Request, env: Env, endpoint: SessionServer): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname !== "/api/whoami") return json(404, { error: { code: "NOT_FOUND", message: "no such API route" } });
  const match = /^Session\s+(([^:\s]+):\S+)$/.exec(request.headers.get("authorization") ?? "");
  if (!match) return json(401, { error: { code: "SESSION_INVALID", message: "send Authorization: Session <token>" } });
  // The API serves both configs; the token's own tag prefix picks which one it is checked against.
  const tag = match[2] === BOUND_TAG ? BOUND_TAG : SESSION_TAG;
  // An unset TESSERA_ENV makes verifySessionToken throw INVALID_ARGUMENT: a missing scope never checks nothing.
  // `request`: a token of the bound config (`binding: "dpop"`, docs/dpop.md) is valid here only
  // with the page's DPoP proof for this request (`sessions.fetch()` sends both); unbound ones ignore
  // it. Each isolate remembers the proofs it saw; pass a shared `replayCache` (Durable Object, D1)
  // to refuse replays across isolates.
  const options = { issuer: env.TESSERA_ISSUER, product: PRODUCT, env: env.TESSERA_ENV, tag, request };
  let result = await verifySessionToken(match[1]!, { ...options, jwks: await loadJwks(env, endpoint, false) });
  // An unknown kid may mean the keys were rotated since the JWKS was cached: reload once.
  if (!result.valid && result.reason === "signature") {
    result = await verifySessionToken(match[1]!, { ...options, jwks: await loadJwks(env, endpoint, true) });
  }
  if (!result.valid) return json(401, { error: { code: "SESSION_INVALID", message: "the session token is not valid", reason: result.reason } });
  return json(200, { identifier: result.identifier, sessionId: result.sessionId, expiresAt: result.expiresAt });
}
