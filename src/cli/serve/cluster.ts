import cluster, { type Worker } from "node:cluster";
import type { Log } from "./log.js";

export interface Primary {
  port: number;
  /** SIGTERM to every worker; resolves true when all of them exited cleanly. */
  stop(): Promise<boolean>;
}

/**
 * The cluster's primary: forks `count` workers running this same program (each one a full
 * `tessera serve` with its own store connection), and resolves once all of them listen. Node's
 * primary accepts connections and hands them round-robin to the workers. A worker that dies
 * while serving is replaced; during shutdown none is.
 */
export function startPrimary(count: number, log: Log): Promise<Primary> {
  let stopping = false;
  const workers = new Set<Worker>();
  const fork = () => {
    const worker = cluster.fork();
    workers.add(worker);
    worker.once("exit", (code, signal) => {
      workers.delete(worker);
      if (stopping) return;
      log("error", "worker exited; replacing it", { code: code ?? -1, signal: signal ?? "" });
      if (listening < count) return failStart(new Error("a worker exited during start-up"));
      fork();
    });
  };
  let listening = 0;
  let failStart: (error: Error) => void = () => {};
  return new Promise((resolve, reject) => {
    failStart = (error) => {
      stopping = true;
      for (const worker of workers) worker.process.kill("SIGTERM");
      reject(error);
    };
    cluster.on("listening", (_worker, address) => {
      if (++listening !== count) return;
      resolve({
        port: address.port,
        stop: () => {
          stopping = true;
          const exits = [...workers].map(
            (worker) => new Promise<boolean>((done) => {
              worker.once("exit", (code) => done(code === 0));
              // Not worker.kill(): it disconnects first, which closes the worker's server under it.
              worker.process.kill("SIGTERM");
            }),
          );
          return Promise.all(exits).then((codes) => codes.every(Boolean));
        },
      });
    });
    for (let i = 0; i < count; i++) fork();
  });
}
