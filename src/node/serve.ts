import cluster from "node:cluster";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startCluster, type ClusterOptions } from "./cluster.js";
import { nodeListener } from "./listener.js";
import { urlHost } from "./target.js";
import type { FetchHandler, NodeListenerOptions, NodeServer } from "./types.js";

/** With `workers` > 1, the cluster's options (cluster.ts) apply in the primary: log, restart bound, stop timeout, signals. */
export interface ServeNodeOptions extends Omit<NodeListenerOptions, "hostname">, Omit<ClusterOptions, "workers"> {
  /** Default 0: any free port (shared by every worker). */
  port?: number;
  /** Default 127.0.0.1: loopback only. */
  hostname?: string;
  /**
   * Processes serving the port (node:cluster), default 1: this process serves. With N > 1,
   * a call in the cluster's primary forks N workers that run the same script again (startCluster),
   * and each worker's own call serves (the primary's handler is not used); the primary's
   * `close()` stops the workers and waits for them. The store must be shared between processes:
   * sqliteStore (WAL) on one machine or postgresStore, never memoryStore.
   */
  workers?: number;
}

/**
 * Serves a `(Request) => Response` handler with node:http on `hostname` and `port`. Used by
 * `tessera dev` and the tests.
 */
export function serveNode(handler: FetchHandler, options: ServeNodeOptions = {}): Promise<NodeServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) return Promise.reject(new TypeError("workers must be a whole number of at least 1"));
  if (workers > 1 && cluster.isPrimary) {
    return startCluster({ ...options, workers }).then((primary) => ({
      url: urlOf(hostname, primary.port),
      port: primary.port,
      close: () => primary.stop().then(() => {}),
    }));
  }
  const server = createServer(nodeListener(handler, { ...options, hostname }));
  // Keep-alive sockets would hold close() open for their idle timeout.
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, hostname, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        url: urlOf(hostname, port),
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

const urlOf = (hostname: string, port: number) => `http://${urlHost(hostname)}:${port}`;
