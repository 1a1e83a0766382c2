import cluster, { type Worker } from "node:cluster";
import type { ClusterLog } from "./types.js";

export interface ClusterOptions {
  /** Worker processes serving the port, a whole number of at least 1. */
  workers: number;
  /** Told about workers that exit unexpectedly, a crash loop, and a signal it handles. Default: silent. */
  log?: ClusterLog;
  /**
   * Unexpected exits replaced within `restartWindowMs`, default 5. One more in that window is a
   * crash loop (a bad deploy, a store that refuses every worker): the primary stops replacing,
   * stops the remaining workers and sets `process.exitCode = 1`, so a supervisor sees the failure
   * instead of a process that forks forever.
   */
  maxRestarts?: number;
  /** Default 60,000 ms. */
  restartWindowMs?: number;
  /** How long `stop()` waits for a worker to exit after SIGTERM before it sends SIGKILL. Default 10,000 ms. */
  stopTimeoutMs?: number;
  /**
   * Default true: SIGTERM or SIGINT to the primary stops the workers (each gets SIGTERM). If the
   * process has no listener of its own for that signal, the primary also logs it and exits once
   * the workers have, 0 when all exited cleanly, else 1 (a second signal exits at once), as an
   * unhandled signal would end it. With a listener of its own, that listener decides when to exit.
   */
  handleSignals?: boolean;
}

export interface ClusterPrimary {
  /** The port every worker serves (the primary holds the one listening socket). */
  port: number;
  /**
   * SIGTERM to every worker, which closes its server and flushes its store; SIGKILL to one still
   * running after `stopTimeoutMs`. Resolves true when every worker exited with code 0. Idempotent.
   */
  stop(): Promise<boolean>;
}

const SIGNALS = ["SIGTERM", "SIGINT"] as const;

/**
 * The primary of a node:cluster: forks `workers` processes that run this same script again, and
 * resolves once each one listens. Node's primary accepts the connections and hands them to the
 * workers round-robin (a `port: 0` is one port for all). A worker that exits while serving is
 * logged and replaced; one that exits before every worker listened fails the start.
 */
export function startCluster(options: ClusterOptions): Promise<ClusterPrimary> {
  let settings: Required<Omit<ClusterOptions, "log">> & { log: ClusterLog };
  try {
    settings = normalise(options);
  } catch (error) {
    return Promise.reject(error);
  }
  if (!cluster.isPrimary) return Promise.reject(new Error("startCluster runs in the cluster's primary; in a worker, serve"));
  const { workers: count, log, maxRestarts, restartWindowMs, stopTimeoutMs } = settings;

  return new Promise((resolve, reject) => {
    const alive = new Set<Worker>();
    const exits: number[] = [];
    let listening = 0;
    let started = false;
    let stopped: Promise<boolean> | undefined;

    const stop = (): Promise<boolean> =>
      (stopped ??= (async () => {
        if (!started) reject(new Error("the cluster was stopped before every worker listened"));
        const clean = await Promise.all([...alive].map((worker) => stopWorker(worker, stopTimeoutMs)));
        for (const signal of SIGNALS) process.off(signal, onSignal);
        return clean.every(Boolean);
      })());

    const onSignal = (signal: NodeJS.Signals) => {
      // Another listener means the process handles this signal: forward it, and let that one exit.
      const ours = process.listenerCount(signal) === 1;
      if (stopped) {
        if (ours) process.exit(1);
        return;
      }
      if (ours) log("info", "signal", { signal });
      void stop().then((clean) => {
        if (ours) process.exit(clean ? 0 : 1);
      });
    };
    if (settings.handleSignals) for (const signal of SIGNALS) process.on(signal, onSignal);

    const fork = () => {
      const worker = cluster.fork();
      alive.add(worker);
      worker.once("listening", (address: { port: number }) => {
        if (started || stopped) return;
        if (++listening < count) return;
        started = true;
        resolve({ port: address.port, stop });
      });
      worker.once("exit", (code: number | null, signal: string | null) => {
        alive.delete(worker);
        if (stopped) return;
        const fields = { worker: worker.id, workerPid: worker.process.pid ?? 0, ...(signal ? { signal } : { code: code ?? 0 }) };
        if (!started) {
          log("error", "worker exited before listening", fields);
          reject(new Error(`a worker exited before listening (${signal ?? `exit code ${code}`})`));
          return void stop();
        }
        const now = Date.now();
        exits.push(now);
        while (exits[0]! <= now - restartWindowMs) exits.shift();
        if (exits.length > maxRestarts) {
          log("error", "workers keep exiting; stopping", { ...fields, exits: exits.length, windowMs: restartWindowMs });
          process.exitCode = 1;
          void stop();
          return;
        }
        log("error", "worker exited; replacing it", fields);
        fork();
      });
    };
    for (let i = 0; i < count; i++) fork();
  });
}

/** Resolves true when the worker exited with code 0 (it closed and flushed), false otherwise. */
function stopWorker(worker: Worker, timeoutMs: number): Promise<boolean> {
  return new Promise((done) => {
    const timer = setTimeout(() => worker.process.kill("SIGKILL"), timeoutMs);
    worker.once("exit", (code: number | null) => {
      clearTimeout(timer);
      done(code === 0);
    });
    // Not worker.kill(): it disconnects first, which closes the worker's server under it.
    worker.process.kill("SIGTERM");
  });
}

function normalise(options: ClusterOptions) {
  const whole = (name: string, value: number, min: number) => {
    if (!Number.isInteger(value) || value < min) throw new TypeError(`${name} must be a whole number of at least ${min}`);
    return value;
  };
  return {
    workers: whole("workers", options.workers, 1),
    log: options.log ?? (() => {}),
    maxRestarts: whole("maxRestarts", options.maxRestarts ?? 5, 0),
    restartWindowMs: whole("restartWindowMs", options.restartWindowMs ?? 60_000, 1),
    stopTimeoutMs: whole("stopTimeoutMs", options.stopTimeoutMs ?? 10_000, 1),
    handleSignals: options.handleSignals ?? true,
  };
}
