import { createClient, isSessionError } from "tessera-sessions";
import type { Endpoint } from "./endpoint.ts";
import type { Env } from "./env.ts";
import { BOUND_TAG, PRODUCT } from "./products.ts";
import { json } from "./respond.ts";

const JKT = /^[A-Za-z0-9_-]{43}$/;

/**
 * `POST /auth/login`: the app's backend signing in a page that keeps its own tokens, bound to the
 * page's DPoP key (docs/dpop.md, "Sessions started by the app's backend"). The page sends its
 * key's thumbprint (`await dpopKey().thumbprint()`) with the sign-in; this route starts the
 * session with the secret key and `dpop: { jkt }`, so its first token already carries `cnf.jkt`,
 * and hands the pair to the page, which adopts it (`sessions.adopt`). This Worker cannot use
 * those tokens itself: it does not hold the page's key.
 */
export async function handleSignIn(request: Request, env: Env, endpoint: Endpoint): Promise<Response> {
  if (`${request.method} ${new URL(request.url).pathname}` !== "POST /auth/login") return json(404, { error: { code: "NOT_FOUND", message: "no such auth route" } });
  // A cross-site form cannot send JSON without a CORS preflight.
  if (!(request.headers.get("content-type") ?? "").startsWith("application/json")) {
    return json(415, { error: { code: "UNSUPPORTED_MEDIA_TYPE", message: "send application/json" } });
  }
  const body = (await request.json().catch(() => null)) as { userId?: unknown; email?: unknown; username?: unknown; jkt?: unknown } | null;
  if (typeof body?.jkt !== "string" || !JKT.test(body.jkt)) {
    return json(400, { error: { code: "INVALID_ARGUMENT", message: "jkt: send the page's DPoP key thumbprint (dpopKey().thumbprint())", field: "jkt" } });
  }
  // A real app authenticates the user here (password, OAuth, passkey) before starting a session.
  const data = { userId: String(body.userId ?? ""), details: { email: String(body.email ?? ""), ...(typeof body.username === "string" ? { username: body.username } : {}) } };
  const backend = createClient({ baseUrl: env.TESSERA_ISSUER, accessKey: endpoint.accessKey, product: PRODUCT, env: env.TESSERA_ENV, fetch: (r) => endpoint.server.fetch(r) });
  try {
    // persist: false: the tokens are the page's; nothing of them stays in this Worker.
    const tokens = await backend.sessions.start({ tag: BOUND_TAG, data, dpop: { jkt: body.jkt }, persist: false });
    return json(200, tokens);
  } catch (error) {
    if (isSessionError(error)) return json(error.status || 502, error.toJSON());
    throw error;
  } finally {
    backend.close();
  }
}
