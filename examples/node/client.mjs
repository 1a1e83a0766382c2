// A client in Node 20 holding only the PUBLISHABLE key: it logs in through the app backend
// (which starts the session with the secret key), then refreshes, verifies, calls the app's
// API with its session, and ends the session.
//
//   node examples/node/client.mjs            # with examples/node/server.mjs running on :3000
import { pathToFileURL } from "node:url";
import { createClient } from "tessera-sessions";

/**
 * The client's `start` call goes to the app's login route instead of the endpoint: the app
 * checks the user and starts the session with its secret key. Every other call (refresh,
 * verify, revoke) goes to the endpoint with the publishable key.
 */
export function loginThrough(appUrl, fetchImpl = (request) => fetch(request)) {
  return async (request) => {
    if (request.method === "POST" && new URL(request.url).pathname.endsWith("/v1/sessions/start")) {
      const headers = new Headers(request.headers);
      headers.delete("authorization");
      const body = await request.text();
      return fetchImpl(new Request(new URL("/app/login", appUrl), { method: "POST", headers, body, signal: request.signal }));
    }
    return fetchImpl(request);
  };
}

/**
 * @param {{ appUrl: string, endpoint?: string, username: string, password: string, log?: (line: string) => void }} options
 */
export async function runNodeClient({ appUrl, endpoint = appUrl, username, password, log = console.log }) {
  const config = await (await fetch(new URL("/app/config", appUrl))).json();
  const { tag } = config;
  const tessera = createClient({
    baseUrl: endpoint,
    accessKey: config.publishableKey,
    product: config.product,
    env: config.env,
    fetch: loginThrough(appUrl),
    // A script, not a page: refresh on use (sessions.get) rather than on a timer.
    autoRefresh: false,
  });
  const changes = [];
  tessera.sessions.onChange((change) => changes.push(change.type));
  try {
    const started = await tessera.sessions.start({ tag, data: { username, password } });
    log(`started   session ${started.sessionId}, token expires ${started.expiresAt}`);

    // The session goes only to origins the client is told about: the endpoint's and these.
    const api = tessera.sessions.fetch({ tag, origins: [appUrl] });
    const me = await (await api(new URL("/app/me", appUrl))).json();
    log(`/app/me   ${JSON.stringify(me)}`);

    const refreshed = await tessera.sessions.refresh({ tag });
    log(`refreshed new token and refresh token (${refreshed.token !== started.token ? "rotated" : "UNCHANGED"})`);

    const verified = await tessera.sessions.verify({ tag });
    log(`verified  valid=${verified.valid}${verified.valid ? ` identifier=${verified.identifier}` : ""}`);

    const ended = await tessera.sessions.end({ tag });
    log(`ended     revoked=${ended.revoked}`);

    // The old token is dead on the server now, whatever its expiry says.
    const after = await fetch(new URL("/app/me", appUrl), { headers: { authorization: `Session ${refreshed.token}` } });
    log(`/app/me   after end: ${after.status}`);
    return { started, me, refreshed, verified, ended, statusAfterEnd: after.status, changes, stored: await tessera.sessions.get({ tag }) };
  } finally {
    tessera.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await runNodeClient({
    appUrl: process.env.APP_URL ?? "http://127.0.0.1:3000",
    username: process.env.APP_USER ?? "feekayo",
    password: process.env.APP_PASSWORD ?? "demo",
  });
}
