import type { SessionServer, SessionStore } from "../../server/index.js";
import { json } from "../../server/http/respond.js";
import type { FetchHandler } from "../../node/index.js";
import { routeOf, type Log } from "./log.js";

const READY_TIMEOUT_MS = 2_000;

/**
 * The endpoint plus `/readyz` (RFC-less but conventional: ready to take traffic, which includes
 * a store round trip, and false while draining) and one log line per request. `/healthz`
 * (liveness) is the endpoint's own route: it answers while draining, so a supervisor does not
 * kill a process that is finishing its requests.
 */
export function serveHandler(server: SessionServer, store: SessionStore, log: Log, draining: () => boolean): FetchHandler {
  return async (request) => {
    const started = performance.now();
    const { pathname } = new URL(request.url);
    const response = pathname === "/readyz" ? await readiness(store, draining(), log) : await server.fetch(request);
    log("info", "request", { method: request.method, route: routeOf(pathname), status: response.status, ms: Math.round(performance.now() - started) });
    return response;
  };
}

async function readiness(store: SessionStore, draining: boolean, log: Log): Promise<Response> {
  if (draining) return json(503, { ready: false, reason: "shutting down" });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      // A lookup that finds nothing: one round trip through the driver, no writes.
      store.getSession("readyz-probe"),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("store timed out")), READY_TIMEOUT_MS))),
    ]);
    return json(200, { ready: true });
  } catch (error) {
    log("warn", "store not ready", { error: error instanceof Error ? error.message.split("\n")[0]! : "error" });
    return json(503, { ready: false, reason: "store unavailable" });
  } finally {
    clearTimeout(timer);
  }
}
