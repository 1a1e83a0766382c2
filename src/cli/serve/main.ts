import cluster from "node:cluster";
import type { ServeOptions } from "../args.js";
import { oneLine } from "../cli-error.js";
import { startPrimary } from "./cluster.js";
import { jsonLog } from "./log.js";
import { runServe } from "./run.js";

/**
 * `tessera serve`: one process, or a cluster primary and its workers. SIGTERM or SIGINT stops
 * gracefully (docs/deploy.md): no new connections, in-flight requests finish, the store is
 * flushed and closed, exit 0. A second signal exits at once.
 */
export async function serveCommand(options: ServeOptions): Promise<void> {
  const role: Record<string, number> = cluster.isWorker ? { pid: process.pid, worker: cluster.worker!.id } : { pid: process.pid };
  const log = jsonLog((line) => process.stdout.write(`${line}\n`), role);
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;

  let stop: () => Promise<boolean>;
  if (options.workers > 1 && cluster.isPrimary) {
    const primary = await startPrimary(options.workers, log);
    log("info", "listening", { url: `http://${host}:${primary.port}`, workers: options.workers });
    stop = () => primary.stop();
  } else {
    const running = await runServe(options, log);
    if (!cluster.isWorker) log("info", "listening", { url: `http://${host}:${running.port}` });
    stop = () => running.stop().then(() => true);
  }

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // Ctrl+C reaches the primary and its workers at once, and the primary forwards SIGTERM: a
    // worker takes the second signal as the same request; elsewhere it means "now".
    if (stopping && cluster.isWorker) return;
    if (stopping) process.exit(1);
    stopping = true;
    log("info", "signal", { signal });
    stop().then(
      (clean) => process.exit(clean ? 0 : 1),
      (error: unknown) => {
        log("error", "error while stopping", { error: oneLine(error) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
