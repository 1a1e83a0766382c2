import { sessionErrorFromRpc, type SessionsRpc } from "tessera-sessions/worker";

/** The app Worker's bindings (app/wrangler.jsonc). */
export interface Env {
  /** The sessions Worker's `Sessions` entrypoint: RPC methods plus `fetch` for its HTTP routes. */
  SESSIONS: SessionsRpc & { fetch(request: Request | string, init?: RequestInit): Promise<Response> };
  TESSERA_ENV: string;
}

const SCOPE = { product: "my-product-tag", tag: "session-tag" };

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } });

/**
 * `POST /login`, `GET /me`, `POST /refresh`, `POST /logout`, `GET /.well-known/jwks.json`: each a call on the
 * service binding. A real app authenticates the user (password, passkey, OAuth) before /login,
 * and keeps the tokens in an HttpOnly cookie or hands them to its front end.
 */
export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const scope = { ...SCOPE, env: env.TESSERA_ENV };
    const route = `${request.method} ${new URL(request.url).pathname}`;
    try {
      switch (route) {
        case "POST /login": {
          const body = (await request.json()) as { userId?: unknown; email?: unknown };
          const started = await env.SESSIONS.start({ ...scope, data: { userId: String(body.userId ?? ""), details: { email: String(body.email ?? "") } } });
          return json(201, started);
        }
        case "GET /me": {
          const token = /^Session\s+(\S+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
          if (!token) return json(401, { error: { code: "UNAUTHORIZED", message: "send Authorization: Session <token>" } });
          // The verify route: sees revocations at once, and decrypts the session's data.
          const verified = await env.SESSIONS.verify({ ...scope, token });
          return verified.valid ? json(200, verified) : json(401, { error: { code: "SESSION_INVALID", message: `the session is not valid (${verified.reason})` } });
        }
        case "POST /refresh": {
          const { refreshToken } = (await request.json()) as { refreshToken: string };
          return json(200, await env.SESSIONS.refresh({ ...scope, refreshToken }));
        }
        case "POST /logout": {
          const { sessionId } = (await request.json()) as { sessionId: string };
          return json(200, await env.SESSIONS.revoke({ ...scope, sessionId }));
        }
        case "GET /.well-known/jwks.json":
          // The binding is also a fetch: the endpoint's HTTP routes. Here the public keys, republished
          // so other Workers and edges can verify session tokens offline.
          return env.SESSIONS.fetch("https://sessions.internal/.well-known/jwks.json");
        default:
          return json(404, { error: { code: "NOT_FOUND", message: "no such route" } });
      }
    } catch (error) {
      // A SessionError crossed the binding as "CODE: message"; back to a code and a status.
      const sessionError = sessionErrorFromRpc(error);
      if (sessionError) return json(sessionError.status, sessionError.toJSON());
      throw error;
    }
  },
};
