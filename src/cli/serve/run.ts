import { createSessionServer } from "../../server/index.js";
import { isSessionError } from "../../shared/errors.js";
import type { ServeOptions } from "../args.js";
import { CliError, oneLine } from "../cli-error.js";
import { loadConfig } from "../config-file.js";
import { serveHandler } from "./handler.js";
import { listen } from "./http.js";
import { loadKeys } from "./keys-file.js";
import type { Log } from "./log.js";
import { DEFAULT_STORE, storeFromUrl } from "./store-url.js";

const PURGE_EVERY_MS = 10 * 60_000;

export interface RunningServe {
  port: number;
  /** Graceful stop: stop accepting, finish in-flight requests, flush and close the store. */
  stop(): Promise<void>;
}

/** One serving process of `tessera serve` (the only one, or a cluster worker). */
export async function runServe(options: ServeOptions, log: Log, env: NodeJS.ProcessEnv = process.env): Promise<RunningServe> {
  const { config, source, issuerSet } = loadConfig(options.config);
  if (!issuerSet) throw new CliError(`${source}: "issuer" is required for tessera serve (the endpoint's public origin, e.g. "https://sessions.example.com")`);
  const keys = loadKeys(options.keys, env, (message) => log("warn", message));
  const opened = await storeFromUrl(options.store ?? env.TESSERA_STORE ?? DEFAULT_STORE);
  if (!opened.shared && options.workers > 1) throw new CliError("--store memory: cannot be shared by several --workers");

  let server;
  try {
    server = createSessionServer({
      issuer: config.issuer,
      ...keys,
      store: opened.store,
      products: config.products as never,
      ...(config.cors !== undefined ? { cors: config.cors as never } : {}),
      ...(config.dpop !== undefined ? { dpop: config.dpop as never } : {}),
      // The server's contract: errors passed here carry no tokens or keys.
      onError: (error) => log("error", "internal error", { error: oneLine(error) }),
    });
  } catch (error) {
    await opened.close();
    if (isSessionError(error)) throw new CliError(`${source}: ${oneLine(error)}`);
    throw error;
  }
  // Opens the database (creating the tables) and drops what expired while we were down: a missing
  // driver or an unreachable database fails the start, not the first request.
  try {
    await server.purge();
  } catch (error) {
    await opened.close();
    throw new CliError(`store (${opened.describe}): cannot open (${oneLine(error)})`);
  }
  // Which driver holds the sessions (SQLite: better-sqlite3, or node:sqlite when it is missing).
  log("info", "store", { store: opened.describe });

  let draining = false;
  let http;
  try {
    http = await listen(serveHandler(server, opened.store, log, () => draining), options.port, options.host);
  } catch (error) {
    await opened.close();
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(code === "EADDRINUSE" ? `port ${options.port} is in use` : `cannot listen on ${options.host}:${options.port} (${code ?? oneLine(error)})`);
  }

  // Every process purges (in a cluster too): the DELETEs are idempotent, and a replaced worker
  // must not leave the cluster without one.
  const purge = setInterval(() => {
    server.purge().then(
      (removed) => log("info", "purge", removed),
      (error: unknown) => log("error", "purge failed", { error: oneLine(error) }),
    );
  }, PURGE_EVERY_MS);
  purge.unref();

  let stopping: Promise<void> | undefined;
  return {
    port: http.port,
    stop: () =>
      (stopping ??= (async () => {
        draining = true;
        clearInterval(purge);
        log("info", "draining", { inFlight: http.inFlight() });
        const { cut } = await http.drain(options.shutdownTimeoutMs);
        if (cut > 0) log("warn", "shutdown timeout: connections cut", { requests: cut });
        await opened.close();
        log("info", "stopped", { store: opened.describe });
      })()),
  };
}
