/**
 * A small in-test stand-in for the sessions endpoint, for UNIT tests of the client only
 * (rotation with a grace window, reuse detection, scripted failures). The integration tests
 * run against the real server (integration.test.ts).
 */
export interface Call {
  path: string;
  url: string;
  body: Record<string, unknown> | undefined;
  headers: Headers;
}

type Scripted = { status: number; body?: unknown } | "network" | "hang";

export function fakeEndpoint(options: { now?: () => number; lifetimeMs?: number; refreshLifetimeMs?: number; graceMs?: number } = {}) {
  const now = options.now ?? Date.now;
  const lifetime = options.lifetimeMs ?? 15 * 60_000;
  const refreshLifetime = options.refreshLifetimeMs ?? 24 * 3600_000;
  const grace = options.graceMs ?? 10_000;
  const calls: Call[] = [];
  const script = new Map<string, Scripted[]>();
  const sessions = new Map<string, { current: string; previous?: string; rotatedAt: number; revoked: boolean; pair: unknown }>();
  const idempotency = new Map<string, unknown>();
  let counter = 0;

  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const issue = (tag: string, sid: string) => {
    const iat = Math.floor(now() / 1000);
    const exp = new Date(iat * 1000 + lifetime).toISOString();
    const refreshToken = `${tag}:rt${++counter}${"x".repeat(40)}`;
    const pair = {
      token: `${tag}:${b64({ alg: "ES256" })}.${b64({ sid, iat, exp: iat + lifetime / 1000 })}.sig${counter}`,
      refreshToken,
      expiresAt: exp,
      refreshExpiresAt: new Date(iat * 1000 + refreshLifetime).toISOString(),
      sessionId: sid,
    };
    return pair;
  };
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const error = (status: number, code: string, message: string) => json(status, { error: { code, message } });

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    // Routes on what follows the base URL's path.
    const path = url.pathname.replace(/^.*?(?=\/v1\/)/, "");
    const body = request.method === "POST" ? ((await request.json()) as Record<string, unknown>) : undefined;
    calls.push({ path, url: request.url, body, headers: request.headers });
    const next = script.get(path)?.shift();
    if (next === "network") throw new TypeError("fetch failed");
    if (next === "hang") return new Promise<Response>(() => undefined);
    if (next) return next.body === undefined ? new Response(null, { status: next.status }) : json(next.status, next.body);

    if (path === "/v1/sessions/start") {
      const key = request.headers.get("idempotency-key");
      if (key && idempotency.has(key)) return json(201, idempotency.get(key));
      const sid = `sid${++counter}`;
      const pair = issue(String(body!.tag), sid);
      sessions.set(sid, { current: pair.refreshToken, rotatedAt: now(), revoked: false, pair });
      if (key) idempotency.set(key, pair);
      return json(201, pair);
    }
    if (path === "/v1/sessions/refresh") {
      const token = String(body!.refreshToken);
      for (const [sid, s] of sessions) {
        if (s.revoked && (s.current === token || s.previous === token)) return error(401, "SESSION_REVOKED", "revoked");
        if (s.current === token) {
          const pair = issue(String(body!.tag), sid);
          s.previous = token;
          s.current = pair.refreshToken;
          s.rotatedAt = now();
          s.pair = pair;
          return json(200, pair);
        }
        if (s.previous === token) {
          if (now() - s.rotatedAt <= grace) return json(200, s.pair);
          s.revoked = true;
          return error(401, "REFRESH_REUSED", "refresh token reuse detected; session revoked");
        }
      }
      return error(401, "REFRESH_INVALID", "unknown refresh token");
    }
    if (path === "/v1/sessions/revoke") {
      for (const [sid, s] of sessions) {
        if (!s.revoked && (sid === body!.sessionId || s.current === body!.refreshToken)) {
          s.revoked = true;
          return json(200, { revoked: 1 });
        }
      }
      return json(200, { revoked: 0 });
    }
    if (path === "/v1/sessions/verify") return json(200, { valid: false, reason: "signature" });
    if (path === "/v1/sessions/revoke-all") return json(200, { revoked: 0 });
    if (path === "/v1/sessions") return json(200, { total: 0, page: 1, limit: 20, sessions: [] });
    return error(404, "NOT_FOUND", "no route");
  }

  return {
    fetch: handle,
    calls,
    sessions,
    /** Answers the next request(s) to `path` with these, in order. */
    script(path: string, ...answers: Scripted[]) {
      script.set(path, [...(script.get(path) ?? []), ...answers]);
    },
    count: (path: string) => calls.filter((call) => call.path === path).length,
    revokeAll() {
      for (const s of sessions.values()) s.revoked = true;
    },
  };
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.parse("2026-01-01T00:00:00Z")) {
  let time = start;
  return {
    now: () => time,
    advance(ms: number) {
      time += ms;
    },
  };
}
