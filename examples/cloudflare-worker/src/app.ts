import { createClient, isSessionError, SessionError, type TesseraClient } from "tessera-sessions";
import type { Endpoint } from "./endpoint.ts";
import { cloudflareKVStorage, encryptedStorage, secretKey } from "tessera-sessions/storage";
import type { Env } from "./env.ts";
import { PRODUCT, SESSION_TAG } from "./products.ts";
import { json } from "./respond.ts";

const COOKIE = "tessera_app";
const VISITOR = /^[A-Za-z0-9_-]{43}$/; // 32 random bytes, base64url
const COOKIE_ATTRIBUTES = "Path=/app/; HttpOnly; Secure; SameSite=Lax";

/**
 * The client side of tessera inside a Worker: a backend-for-frontend. The browser holds only an
 * opaque visitor id in an HttpOnly cookie; the session tokens stay here, in KV, AES-GCM-encrypted
 * under a key derived (HKDF) from the TOKENS_SECRET binding, with a fresh IV per write and the
 * storage key bound as additional data. KV's eventual consistency is fine for this: one
 * visitor's record has one writer, and a stale read only means one more refresh, which the
 * endpoint's grace window answers with the current pair.
 */
// HKDF once per isolate and secret, not per request.
let derived: { secret: string; key: Promise<CryptoKey> } | undefined;
function storageKeyOf(secret: string | undefined): Promise<CryptoKey> {
  if (typeof secret !== "string" || new TextEncoder().encode(secret).length < 32) {
    throw new SessionError("INVALID_CONFIG", "TOKENS_SECRET: must be set to 32+ random bytes (see .dev.vars.example)", { field: "TOKENS_SECRET" });
  }
  if (derived?.secret !== secret) derived = { secret, key: secretKey(secret) };
  return derived.key;
}

function clientFor(env: Env, endpoint: Endpoint, visitor: string): TesseraClient {
  return createClient({
    baseUrl: env.TESSERA_ISSUER,
    accessKey: endpoint.accessKey,
    product: PRODUCT,
    env: env.TESSERA_ENV,
    // One prefix per visitor: the client keeps one session per product/env/tag under it.
    storage: encryptedStorage(cloudflareKVStorage(env.TOKENS, { prefix: `app/${visitor}/` }), { key: storageKeyOf(env.TOKENS_SECRET) }),
    // The endpoint lives in this Worker: call it in-process instead of over the network.
    fetch: (request) => endpoint.server.fetch(request),
  });
}

function visitorOf(request: Request): string | null {
  const cookie = request.headers.get("cookie") ?? "";
  const value = cookie.split(";").map((part) => part.trim().split("=")).find(([name]) => name === COOKIE)?.[1];
  return value && VISITOR.test(value) ? value : null;
}

function newVisitor(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** `/app/login`, `/app/me`, `/app/refresh`, `/app/logout`. */
export async function handleApp(request: Request, env: Env, endpoint: Endpoint): Promise<Response> {
  const { pathname } = new URL(request.url);
  const route = `${request.method} ${pathname}`;
  // A cross-site form cannot send JSON without a CORS preflight: with SameSite=Lax, that is the CSRF defence.
  if (request.method === "POST" && !(request.headers.get("content-type") ?? "").startsWith("application/json")) {
    return json(415, { error: { code: "UNSUPPORTED_MEDIA_TYPE", message: "send application/json" } });
  }
  const visitor = route === "POST /app/login" ? newVisitor() : visitorOf(request);
  if (!visitor) return json(401, { error: { code: "SESSION_NOT_FOUND", message: "not signed in" } });
  const client = clientFor(env, endpoint, visitor);
  const scope = { tag: SESSION_TAG };
  try {
    switch (route) {
      case "POST /app/login": {
        // A real app authenticates the user here (password, OAuth, passkey) before starting a session.
        const body = (await request.json()) as { userId?: unknown; email?: unknown; username?: unknown };
        const data = { userId: String(body.userId ?? ""), details: { email: String(body.email ?? ""), ...(typeof body.username === "string" ? { username: body.username } : {}) } };
        const started = await client.sessions.start({ ...scope, data });
        return json(200, { sessionId: started.sessionId, expiresAt: started.expiresAt }, {
          "set-cookie": `${COOKIE}=${visitor}; ${COOKIE_ATTRIBUTES}; Max-Age=2592000`,
        });
      }
      case "GET /app/me": {
        // Refreshed first when close to expiry; then the verify route, which can see revocations and decrypts data.
        const session = await client.sessions.get(scope);
        if (!session) return json(401, { error: { code: "SESSION_NOT_FOUND", message: "not signed in" } });
        const verified = await client.sessions.verify(scope);
        if (!verified.valid) return json(401, { error: { code: "SESSION_INVALID", message: "the session is not valid", reason: verified.reason } });
        return json(200, { identifier: verified.identifier, sessionId: verified.sessionId, expiresAt: verified.expiresAt, data: verified.data });
      }
      case "POST /app/refresh": {
        const refreshed = await client.sessions.refresh(scope);
        return json(200, { sessionId: refreshed.sessionId, expiresAt: refreshed.expiresAt });
      }
      case "POST /app/logout": {
        const result = await client.sessions.end(scope);
        return json(200, result, { "set-cookie": `${COOKIE}=; ${COOKIE_ATTRIBUTES}; Max-Age=0` });
      }
      default:
        return json(404, { error: { code: "NOT_FOUND", message: "no such app route" } });
    }
  } catch (error) {
    if (isSessionError(error)) return json(error.status || 502, error.toJSON());
    throw error;
  } finally {
    client.close();
  }
}
