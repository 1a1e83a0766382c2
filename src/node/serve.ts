import cluster from "node:cluster";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { nodeListener } from "./listener.js";
import type { FetchHandler, NodeListenerOptions, NodeServer } from "./types.js";

export interface ServeNodeOptions extends Omit<NodeListenerOptions, "hostname"> {
  /** Default 0: any free port (shared by every worker). */
  port?: number;
  /** Default 127.0.0.1: loopback only. */
  hostname?: string;
  /**
   * Processes serving the port (node:cluster), default 1: this process serves. With N > 1,
   * a call in the cluster's primary forks N workers that run the same script again, and each
   * worker's own call serves (the primary's handler is not used). The store must be shared
   * between processes: sqliteStore (WAL) on one machine or postgresStore, never memoryStore.
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
  if (workers > 1 && cluster.isPrimary) return servePrimary(workers, hostname);
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

/**
 * The primary of a cluster: forks the workers and resolves once every one listens. Node hands
 * the listening socket to all of them (port 0 included: one port for all) and spreads
 * connections round-robin.
 */
function servePrimary(count: number, hostname: string): Promise<NodeServer> {
  return new Promise((resolve, reject) => {
    const forked = Array.from({ length: count }, () => cluster.fork());
    let listening = 0;
    let closing = false;
    const onListening = (worker: (typeof forked)[number], address: { port: number }) => {
      if (!forked.includes(worker) || ++listening < count) return;
      cluster.off("listening", onListening);
      cluster.off("exit", onEarlyExit);
      // A worker that dies later is replaced, so the port keeps `count` processes behind it.
      cluster.on("exit", (dead) => {
        const at = forked.indexOf(dead);
        if (at >= 0 && !closing) forked[at] = cluster.fork();
      });
      resolve({ url: urlOf(hostname, address.port), port: address.port, close: () => stopWorkers(forked, () => (closing = true)) });
    };
    const onEarlyExit = (worker: (typeof forked)[number], code: number | null, signal: string | null) => {
      if (!forked.includes(worker)) return;
      cluster.off("listening", onListening);
      cluster.off("exit", onEarlyExit);
      for (const w of forked) if (!w.isDead()) w.kill();
      reject(new Error(`a worker exited before listening (${signal ?? `exit code ${code}`})`));
    };
    cluster.on("listening", onListening);
    cluster.on("exit", onEarlyExit);
  });
}

/** SIGTERM to each worker (it closes its server and store, as `tessera dev` does on a signal), SIGKILL after 5 s. */
function stopWorkers(workers: import("node:cluster").Worker[], markClosing: () => void): Promise<void> {
  markClosing();
  return Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((done) => {
          if (worker.isDead()) return done();
          const timer = setTimeout(() => worker.process.kill("SIGKILL"), 5_000);
          worker.once("exit", () => {
            clearTimeout(timer);
            done();
          });
          worker.process.kill("SIGTERM");
        }),
    ),
  ).then(() => {});
}

// An IPv6 literal needs brackets in a URL (RFC 3986 §3.2.2).
const urlOf = (hostname: string, port: number) => `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
