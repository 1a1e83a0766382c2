import cluster from "node:cluster";
import { startCluster } from "../../node/index.js";
import { urlHost } from "../../node/target.js";
import type { ServeOptions } from "../args.js";
import { CliError, oneLine } from "../cli-error.js";
import { jsonLog } from "./log.js";
import { runServe } from "./run.js";

/** What a worker gets beyond --shutdown-timeout before the primary kills it: closing and flushing the store. */
const STORE_CLOSE_MS = 5_000;

/**
 * `tessera serve`: one process, or a cluster primary and its workers. SIGTERM or SIGINT stops
 * gracefully (docs/deploy.md): no new connections, in-flight requests finish, the store is
 * flushed and closed, exit 0. A second signal exits at once.
 */
export async function serveCommand(options: ServeOptions): Promise<void> {
  const role: Record<string, number> = cluster.isWorker ? { pid: process.pid, worker: cluster.worker!.id } : { pid: process.pid };
  const log = jsonLog((line) => process.stdout.write(`${line}\n`), role);
  const host = urlHost(options.host);

  if (options.workers > 1 && cluster.isPrimary) {
    // The primary only supervises: it replaces a worker that dies, and on SIGTERM or SIGINT it
    // forwards SIGTERM, waits for every worker to drain and flush, and exits 0 if all exited 0.
    const primary = await startCluster({ workers: options.workers, log, stopTimeoutMs: options.shutdownTimeoutMs + STORE_CLOSE_MS }).catch(
      (error: unknown) => {
        throw new CliError(oneLine(error));
      },
    );
    log("info", "listening", { url: `http://${host}:${primary.port}`, workers: options.workers });
    return;
  }

  const running = await runServe(options, log);
  if (!cluster.isWorker) log("info", "listening", { url: `http://${host}:${running.port}` });
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // Ctrl+C reaches the primary and its workers at once, and the primary forwards SIGTERM: a
    // worker takes the second signal as the same request; elsewhere it means "now".
    if (stopping && cluster.isWorker) return;
    if (stopping) process.exit(1);
    stopping = true;
    log("info", "signal", { signal });
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log("error", "error while stopping", { error: oneLine(error) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
