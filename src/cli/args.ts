import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { CliError } from "./cli-error.js";

export interface DevOptions {
  port: number;
  host: string;
  /** `undefined`: `./tessera.config.json` when it exists, else the built-in seed config. */
  config: string | undefined;
  dataDir: string;
}

export interface ServeOptions {
  port: number;
  host: string;
  /** Default ./tessera.config.json, which must exist (no seed config in production). */
  config: string;
  /** A JSON file of the TESSERA_* key variables; `undefined`: read them from the environment. */
  keys: string | undefined;
  /** `sqlite:<path>`, `postgres://...`, `memory:`; `undefined`: $TESSERA_STORE, else sqlite:./sessions.db. */
  store: string | undefined;
  /** Processes serving the port; 1 serves in this process. */
  workers: number;
  /** How long in-flight requests may take to finish after SIGTERM before their connections are cut. */
  shutdownTimeoutMs: number;
}

export type Command =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "dev"; options: DevOptions }
  | { kind: "serve"; options: ServeOptions };

export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_DATA_DIR = ".tessera";

export const HELP = `Usage: tessera <command> [options]

Commands:
  dev                 Run a local sessions endpoint with a demo page
  serve               Run the sessions endpoint as a production server (docs/deploy.md)

Options for dev:
  --port <n>          Port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host <address>    Address to bind (default ${DEFAULT_HOST})
  --config <file>     Session configs (default ./tessera.config.json, else the built-in seed config)
  --data-dir <dir>    Dev keys and the SQLite database (default ${DEFAULT_DATA_DIR})

Options for serve:
  --config <file>     Session configs with "issuer" (default ./tessera.config.json)
  --keys <file>       JSON file of the TESSERA_* key variables (default: from the environment)
  --store <url>       sqlite:<path> | postgres://... | memory: (default $TESSERA_STORE, else sqlite:./sessions.db)
  --port <n>          Port to listen on (default ${DEFAULT_PORT})
  --host <address>    Address to bind (default ${DEFAULT_HOST}; 0.0.0.0 for all)
  --workers <n|auto>  Processes serving the port (default 1; auto: one per core)
  --shutdown-timeout <s>  Seconds in-flight requests get after SIGTERM (default 10)

General:
  -h, --help          Show this help
  -v, --version       Show the version
`;

/** Parses `process.argv.slice(2)`; every mistake is a `CliError` with exit code 2. */
export function parseCli(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
        port: { type: "string" },
        host: { type: "string" },
        config: { type: "string" },
        "data-dir": { type: "string" },
        keys: { type: "string" },
        store: { type: "string" },
        workers: { type: "string" },
        "shutdown-timeout": { type: "string" },
      },
    });
  } catch (error) {
    throw new CliError(describeParseError(error), 2);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };

  const [command, ...rest] = positionals;
  if (command === undefined) throw new CliError("missing command (try: tessera dev, or tessera --help)", 2);
  if (command === "help") return { kind: "help" };
  if (command !== "dev" && command !== "serve") throw new CliError(`unknown command "${command}" (try: tessera --help)`, 2);
  if (rest.length > 0) throw new CliError(`unexpected argument "${rest[0]}" for tessera ${command}`, 2);
  const only = command === "dev" ? ["keys", "store", "workers", "shutdown-timeout"] : ["data-dir"];
  const misplaced = only.find((name) => values[name as keyof typeof values] !== undefined);
  if (misplaced !== undefined) throw new CliError(`option --${misplaced} is not for tessera ${command}`, 2);
  if (command === "serve") {
    return {
      kind: "serve",
      options: {
        port: parsePort(values.port),
        host: nonEmpty("--host", values.host) ?? DEFAULT_HOST,
        config: nonEmpty("--config", values.config) ?? "tessera.config.json",
        keys: nonEmpty("--keys", values.keys),
        store: nonEmpty("--store", values.store),
        workers: parseWorkers(values.workers),
        shutdownTimeoutMs: parseSeconds("--shutdown-timeout", values["shutdown-timeout"], 10) * 1000,
      },
    };
  }

  return {
    kind: "dev",
    options: {
      port: parsePort(values.port),
      host: nonEmpty("--host", values.host) ?? DEFAULT_HOST,
      config: nonEmpty("--config", values.config),
      dataDir: nonEmpty("--data-dir", values["data-dir"]) ?? DEFAULT_DATA_DIR,
    },
  };
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PORT;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(port) || port > 65535) {
    throw new CliError(`--port must be a whole number from 0 to 65535, got "${raw}"`, 2);
  }
  return port;
}

function parseWorkers(raw: string | undefined): number {
  if (raw === undefined) return 1;
  if (raw === "auto") return availableParallelism();
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 256) throw new CliError(`--workers must be "auto" or a whole number from 1 to 256, got "${raw}"`, 2);
  return n;
}

function parseSeconds(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || n > 3600) throw new CliError(`${flag} must be a number of seconds from 0 to 3600, got "${raw}"`, 2);
  return n;
}

function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === "") throw new CliError(`${flag} needs a value`, 2);
  return value;
}

/** node:util's messages are long and mention `--` positionals; keep one short line. */
function describeParseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  // "Option '-h, --help' does not take an argument": name the long form when there is one.
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? "";
  const option = /--[\w-]+/.exec(quoted)?.[0] ?? /-\w/.exec(quoted)?.[0];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${option ?? ""} (try: tessera --help)`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) {
    return message.includes("does not take") ? `option ${option} takes no value` : `option ${option} needs a value`;
  }
  return message.split("\n")[0] ?? "invalid arguments";
}
