// The app's backend: your own login, then a tessera session minted with the SECRET key.
// Browsers and other clients only ever hold the publishable key (DESIGN.md, security model).
import { createClient, isSessionError } from "tessera-sessions";

/**
 * @param {{ endpoint: string, secretKey: string, publishableKey: string,
 *           product: string, env: string, tag: string, fetch?: typeof fetch }} options
 * @returns {(request: Request) => Promise<Response>} a fetch handler for /app/* and the endpoint's routes
 */
export function createApp(options) {
  const { endpoint, product, env, tag } = options;
  const upstream = options.fetch ?? ((request) => fetch(request));
  // One client for the whole backend: it starts sessions for many users, so it keeps none
  // (`persist: false` below) and never refreshes in the background.
  const tessera = createClient({ baseUrl: endpoint, accessKey: options.secretKey, product, env, fetch: upstream });

  return async function app(request) {
    const url = new URL(request.url);
    try {
      if (url.pathname === "/app/login" && request.method === "POST") return await login(request);
      if (url.pathname === "/app/me" && request.method === "GET") return await me(request);
      if (url.pathname === "/app/config" && request.method === "GET") {
        // What a page needs to build its client: the publishable key, never the secret one.
        return json(200, { publishableKey: options.publishableKey, product, env, tag });
      }
      // Same origin for the browser: the endpoint's own routes pass through untouched.
      if (url.pathname.startsWith("/v1/") || url.pathname.startsWith("/.well-known/")) {
        const target = new URL(url.pathname + url.search, endpoint);
        const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
        const answer = await upstream(new Request(target, { method: request.method, headers: request.headers, body }));
        // fetch() has already decoded the body: its encoding and length headers no longer apply.
        const headers = new Headers(answer.headers);
        headers.delete("content-encoding");
        headers.delete("content-length");
        return new Response(answer.body, { status: answer.status, headers });
      }
      return json(404, { error: { code: "NOT_FOUND", message: `no route ${url.pathname}` } });
    } catch (error) {
      if (isSessionError(error)) return json(error.status || 502, error.toJSON());
      throw error;
    }
  };

  /**
   * The body is what a tessera client sends to start ({ product, env, tag, data }); here
   * `data` is the login form. The session's data is built from OUR user record, never
   * taken from the caller.
   */
  async function login(request) {
    const body = await request.json().catch(() => null);
    const form = body?.data ?? body ?? {};
    if (body?.tag !== undefined && body.tag !== tag) return json(400, { error: { code: "TAG_NOT_FOUND", message: "this app starts one tag" } });
    const user = USERS.get(String(form.username ?? ""));
    if (!user || form.password !== user.password) return json(401, { error: { code: "UNAUTHORIZED", message: "wrong username or password" } });
    const tokens = await tessera.sessions.start({
      tag,
      data: { userId: user.id, details: { username: form.username, email: user.email } },
      persist: false,
    });
    return json(201, tokens);
  }

  /** An API route of the app: reads `Authorization: Session <tag>:<jwt>` and asks the endpoint. */
  async function me(request) {
    const header = request.headers.get("authorization") ?? "";
    const token = header.startsWith("Session ") ? header.slice(8) : "";
    if (!token) return json(401, { error: { code: "UNAUTHORIZED", message: "no session" } });
    // The endpoint's verify sees revocations and decrypts `data`; for checks that must not
    // call the endpoint, see verifySessionToken from "tessera-sessions/verify".
    const result = await tessera.sessions.verify({ tag, token });
    if (!result.valid) return json(401, { error: { code: "SESSION_INVALID", message: `session ${result.reason}` } });
    return json(200, { userId: result.identifier, sessionId: result.sessionId, details: result.data.details });
  }
}

// A stand-in for your user database. Demo only: never keep passwords like this.
const USERS = new Map([
  ["feekayo", { id: "1919102009383", email: "fikayo@ductape.app", password: "demo" }],
  ["ada", { id: "1815", email: "ada@example.com", password: "demo" }],
]);

function json(status, body) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });
}
