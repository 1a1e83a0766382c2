// Issue 5 part 3, tessera's side: `tessera dev` (SQLite store, request log, as a user runs it)
// on loopback for start, refresh and verify. Plugged into bench/http.mjs after the floor.
// Which CLI runs, and how it is started: bench/lib/tessera-dev.mjs.
import { loadTest } from "./lib/load.mjs";
import { devUnavailable, startDev } from "./lib/tessera-dev.mjs";

/** The seed page's call (DESIGN.md): the body every start sends. */
const SCOPE = { product: "my-product-tag", env: "snd", tag: "session-tag" };
const START_BODY = { ...SCOPE, data: { userId: "1919102009383", details: { username: "feekayo", email: "fikayo@ductape.app" } } };

/**
 * Starts sessions under load for `seconds` and keeps every refresh token: the pool for the
 * refresh case, as large as what the server starts in one case duration.
 */
export async function refreshTokenPool(server, { seconds, connections }) {
  const tokens = [];
  const result = await loadTest({
    url: `${server.url}/v1/sessions/start`,
    method: "POST",
    headers: { authorization: `Bearer ${server.secretKey}` },
    body: START_BODY,
    duration: seconds,
    connections,
    onResponse: (status, text) => {
      if (status === 200 || status === 201) tokens.push(JSON.parse(text).refreshToken);
    },
  });
  if (tokens.length === 0) throw new Error(`no session started for the refresh pool (${result.non2xx} non-2xx, ${result.errors} errors)`);
  return tokens;
}

/**
 * Starts sessions with fetch, `connections` at a time, until `count` or `seconds` is reached
 * (the verify case's valid tokens).
 */
export async function startSessions(server, { count = Infinity, seconds = 10, connections = 10 } = {}) {
  const deadline = performance.now() + seconds * 1000;
  const sessions = [];
  let failure = null;
  const worker = async () => {
    while (!failure && sessions.length < count && performance.now() < deadline) {
      const answer = await fetch(`${server.url}/v1/sessions/start`, {
        method: "POST",
        headers: { authorization: `Bearer ${server.secretKey}`, "content-type": "application/json" },
        body: JSON.stringify(START_BODY),
      });
      if (answer.status !== 201 && answer.status !== 200) {
        failure = new Error(`start answered ${answer.status} while preparing the pool`);
        break;
      }
      sessions.push(await answer.json());
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  if (failure) throw failure;
  return sessions;
}

/** @type {import("./http.mjs").HttpCase[]} */
export const TESSERA_HTTP_CASES = [
  {
    label: "tessera dev: start (SQLite)",
    skip: devUnavailable,
    server: startDev,
    load: (_url, _prepared, server) => ({
      url: `${server.url}/v1/sessions/start`,
      method: "POST",
      headers: { authorization: `Bearer ${server.secretKey}` },
      body: START_BODY,
      warmup: 1,
    }),
  },
  {
    label: "tessera dev: refresh (SQLite, one token each)",
    skip: devUnavailable,
    server: startDev,
    // Refresh costs about what start costs (a signature, an encryption, a write), so a pool
    // started in one case duration lasts about one; if not, the row says when it ran out.
    prepare: (server, { duration, connections }) => refreshTokenPool(server, { seconds: duration, connections }),
    load: (_url, tokens, server) => ({
      url: `${server.url}/v1/sessions/refresh`,
      method: "POST",
      headers: { authorization: `Bearer ${server.publishableKey}` },
      bodies: tokens.map((refreshToken) => ({ ...SCOPE, refreshToken })),
    }),
  },
  {
    label: "tessera dev: verify (SQLite)",
    skip: devUnavailable,
    server: startDev,
    prepare: (server, { connections }) => startSessions(server, { count: 100, connections }),
    load: (_url, sessions, server) => ({
      url: `${server.url}/v1/sessions/verify`,
      method: "POST",
      headers: { authorization: `Bearer ${server.publishableKey}` },
      bodies: sessions.map((s) => ({ ...SCOPE, token: s.token })),
      cycle: true,
      warmup: 1,
    }),
  },
];

/**
 * The same cases against `tessera dev` built from a baseline copy of src/
 * (TESSERA_BENCH_BASELINE), labelled "— baseline": before and after in one run.
 */
export function baselineCases(root) {
  return TESSERA_HTTP_CASES.map((c) => ({ ...c, label: `${c.label} — baseline`, server: () => startDev({ baseline: root }) }));
}
