import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { nodeListener } from "./listener.js";
import type { FetchHandler, NodeServer } from "./types.js";

/**
 * Serves a `(Request) => Response` handler with node:http on `hostname` (default 127.0.0.1,
 * loopback only) and `port` (default 0: any free port). Used by `tessera dev` and the tests.
 */
export function serveNode(
  handler: FetchHandler,
  options: { port?: number; hostname?: string } = {},
): Promise<NodeServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const server = createServer(nodeListener(handler, { hostname }));
  // Keep-alive sockets would hold close() open for their idle timeout.
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, hostname, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        // An IPv6 literal needs brackets in a URL (RFC 3986 §3.2.2).
        url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
