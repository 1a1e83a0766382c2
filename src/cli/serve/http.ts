import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { nodeListener, type FetchHandler } from "../../node/index.js";

export interface DrainableServer {
  port: number;
  /** Requests being answered right now. */
  inFlight(): number;
  /**
   * Stops accepting connections and lets every request already received finish: each answer from
   * now on carries `Connection: close`. Connections cut after `timeoutMs`. Resolves when all closed.
   */
  drain(timeoutMs: number): Promise<{ cut: number }>;
}

/**
 * How long an idle keep-alive connection is kept once draining starts. A request the client sent
 * just before the signal may sit unread in the socket buffer, and Node counts such a connection
 * as idle: closing it at once would drop that request. Parsing it takes one event-loop turn.
 */
const IDLE_GRACE_MS = 500;

export function listen(handler: FetchHandler, port: number, host: string): Promise<DrainableServer> {
  const server = createServer(nodeListener(handler, { hostname: host }));
  // Behind a proxy that reuses connections (nginx keepalive), ours must outlive its idle timeout.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const active = new Set<ServerResponse>();
  let draining = false;
  server.on("request", (_req, res: ServerResponse) => {
    if (draining) res.setHeader("connection", "close");
    active.add(res);
    res.once("close", () => {
      active.delete(res);
      if (draining) server.closeIdleConnections();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        inFlight: () => active.size,
        drain: (timeoutMs) => drain(server, active, timeoutMs, () => (draining = true)),
      });
    });
  });
}

function drain(server: Server, active: Set<ServerResponse>, timeoutMs: number, start: () => void): Promise<{ cut: number }> {
  start();
  for (const res of active) if (!res.headersSent) res.setHeader("connection", "close");
  return new Promise((resolve) => {
    let cut = 0;
    const hard = setTimeout(() => {
      cut = active.size;
      server.closeAllConnections();
    }, timeoutMs);
    const idle = setTimeout(() => server.closeIdleConnections(), IDLE_GRACE_MS);
    // Node >= 19's close() also closes idle connections at once; see IDLE_GRACE_MS for why not yet.
    const closeIdle = server.closeIdleConnections;
    server.closeIdleConnections = () => {};
    server.close(() => {
      clearTimeout(hard);
      clearTimeout(idle);
      resolve({ cut });
    });
    server.closeIdleConnections = closeIdle;
  });
}
