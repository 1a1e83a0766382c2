import cluster from "node:cluster";
import { fileURLToPath } from "node:url";
import { createSessionServer } from "../server/index.js";
import { isSessionError } from "../shared/errors.js";
import type { DevOptions } from "./args.js";
import { formatBanner } from "./banner.js";
import { CliError, oneLine } from "./cli-error.js";
import { loadConfig } from "./config-file.js";
import { createRequestLog, loggedPath, withRequestLog, type RequestLog } from "./request-log.js";
import { devCors } from "./dev-cors.js";
import { createDevHandler, isLoopbackHost } from "./dev-handler.js";
import { openDevStore } from "./dev-store.js";
import {
  databaseFileIn,
  looseModeWarning,
  newDevKeys,
  readDevKeys,
  saveDevKeys,
  tightenDatabaseFiles,
  type DevKeys,
} from "./dev-keys.js";
import { remoteAddress, serveNode, type NodeServer } from "../node/index.js";

const PURGE_EVERY_MS = 10 * 60_000;

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export interface RunningDev {
  url: string;
  /** Closes the socket, the purge timer and the database. Idempotent. */
  close(): Promise<void>;
}

/** `tessera dev`: config, dev keys and store (SQLite, else memory: dev-store.ts), the endpoint plus demo routes on a socket. */
export async function runDev(options: DevOptions, output: Output): Promise<RunningDev> {
  // Config first, then keys: a bad config must not leave a fresh .tessera/ behind, so new
  // keys are written only once createSessionServer has accepted the config.
  const { config, source } = loadConfig(options.config);
  const existing = readDevKeys(options.dataDir);
  if (existing) {
    const warning = looseModeWarning(options.dataDir);
    if (warning) output.err(`tessera: warning: ${warning}`);
  }
  let keys = existing ?? (await newDevKeys());
  const databaseFile = databaseFileIn(options.dataDir);

  // The store opens its file lazily (at the purge below), after the config was accepted.
  const devStore = await openDevStore(databaseFile);
  const { store } = devStore;
  const closeStore = () => store.close();

  const cors = devCors(config.cors, options.cors ?? []);
  const build = async (current: DevKeys) => {
    try {
      return await createSessionServer({
        issuer: config.issuer,
        keys: current.signingKeys as never,
        secret: current.secret,
        store,
        products: config.products as never,
        cors: cors as never,
        ...(config.dpop !== undefined ? { dpop: config.dpop as never } : {}),
        accessKeys: { secret: [current.accessKeys.secret], publishable: [current.accessKeys.publishable] },
        // Never receives tokens or keys (server contract); one line, no stack.
        onError: (error: unknown) => output.err(`tessera: internal error: ${oneLine(error)}`),
      });
    } catch (error) {
      await closeStore();
      if (isSessionError(error)) throw new CliError(`${source}: ${oneLine(error)}`);
      throw error;
    }
  };
  let server = await build(keys);
  if (!existing) {
    const saved = saveDevKeys(options.dataDir, keys);
    // Another first run wrote its keys before ours: use those.
    if (saved !== keys) server = await build((keys = saved));
  }

  // Open the database now (the store opens lazily) and drop what expired while we were down:
  // an unwritable file is reported at start, not at the first call.
  try {
    await server.purge();
    tightenDatabaseFiles(options.dataDir);
  } catch (error) {
    await closeStore();
    throw new CliError(`${databaseFile}: cannot open the database (${oneLine(error)})`);
  }

  const log = createRequestLog(output.out);
  const handler = withRequestLog(
    createDevHandler({
      server: (request) => server.fetch(request),
      config,
      accessKeys: keys.accessKeys,
      scriptFiles: browserBuildCandidates(),
      peerAddress: remoteAddress,
    }),
    { out: log.line, err: output.err },
  );

  // --workers N: this process forks N workers (node:cluster) that run `tessera dev` again over
  // the same data dir, and serves nothing itself; each worker serves the shared port.
  const workers = options.workers ?? 1;
  if (workers > 1 && devStore.kind === "memory") {
    // Each worker would hold sessions of its own: a refresh answered by another worker would fail.
    await closeStore();
    throw new CliError("--workers needs a SQLite store shared by the workers (install better-sqlite3, or run Node >= 22.13 for node:sqlite)", 2);
  }
  const primary = workers > 1 && cluster.isPrimary;
  let http: NodeServer;
  try {
    http = await serveNode(handler, {
      port: options.port,
      hostname: options.host,
      workers,
      // The primary's lines (a worker replaced, a crash loop) in tessera dev's own words.
      log: (level, message, fields = {}) => {
        const detail = Object.entries(fields).map(([name, value]) => `${name} ${value}`).join(", ");
        (level === "info" ? output.out : output.err)(`tessera: ${level === "info" ? "" : `${level}: `}${message}${detail ? ` (${detail})` : ""}`);
      },
      // Requests no fetch Request can represent (TRACE, a malformed Host) are answered by the
      // adapter; they still get their log line.
      onRefused: ({ method, path, status }) => log.line(`${method} ${loggedPath(path)} ${status} 0ms (refused by the adapter)`),
    });
  } catch (error) {
    await closeStore();
    throw new CliError(listenError(error, options), 1);
  }

  if (workers > 1 && cluster.isWorker) {
    // The primary printed the banner; a worker only serves, and logs its requests.
    return closer(http, () => server, closeStore, undefined, log);
  }
  const purge = setInterval(() => {
    Promise.resolve(server.purge()).catch((error: unknown) => output.err(`tessera: purge failed: ${oneLine(error)}`));
  }, PURGE_EVERY_MS);
  purge.unref();

  if (!isLoopbackHost(options.host)) {
    output.err(`tessera: warning: listening on ${options.host}; the demo's backend routes hold the secret key and answer loopback hosts only`);
  }
  output.out(
    formatBanner({
      url: http.url,
      configSource: source,
      dataDir: options.dataDir,
      keysCreated: !existing,
      store: { line: devStore.line, file: devStore.kind !== "memory" },
      accessKeys: keys.accessKeys,
      config,
      corsOrigins: (cors as { origins: string[] | "*" }).origins,
    }),
  );
  if (primary) output.out(`${workers} worker processes serve ${http.url} (node:cluster); this one purges`);
  return closer(http, () => server, closeStore, purge, log);
}

function closer(
  http: NodeServer,
  server: () => { flush(): Promise<void> },
  closeStore: () => Promise<void>,
  purge: ReturnType<typeof setInterval> | undefined,
  log: RequestLog,
): RunningDev {
  let closing: Promise<void> | undefined;
  return {
    url: http.url,
    close: () =>
      (closing ??= (async () => {
        if (purge !== undefined) clearInterval(purge);
        await http.close();
        // Activity is written after the answers (createSessionServer): write what is queued.
        await server().flush();
        await closeStore();
        log.flush();
      })()),
  };
}

function listenError(error: unknown, options: DevOptions): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") return `port ${options.port} is in use; try --port ${options.port + 1}`;
  if (code === "EACCES") return `port ${options.port} needs more privileges; try --port 8787`;
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") return `cannot listen on ${options.host}: address not available`;
  return `cannot listen on ${options.host}:${options.port} (${code ?? oneLine(error)})`;
}

/** dist/cli.js sits beside dist/tessera.global.js; from src/cli/ (tests, tsx) it is ../../dist. */
function browserBuildCandidates(): string[] {
  return [
    fileURLToPath(new URL("./tessera.global.js", import.meta.url)),
    fileURLToPath(new URL("../../dist/tessera.global.js", import.meta.url)),
  ];
}
