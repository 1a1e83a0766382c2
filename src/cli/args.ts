import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { CliError } from "./cli-error.js";
import { KEYS_FORMATS, type KeysFormat } from "./keys/env-file.js";
import type { KeysOptions } from "./keys/run-keys.js";

export interface DevOptions {
  port: number;
  host: string;
  /** `undefined`: `./tessera.config.json` when it exists, else the built-in seed config. */
  config: string | undefined;
  dataDir: string;
  /** Origins allowed besides the loopback ones (`--cors`, repeatable). */
  cors?: string[];
  /** Processes serving the port (node:cluster) over the same data dir; 1 (the default) serves in this process. */
  workers?: number;
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
  | { kind: "serve"; options: ServeOptions }
  | { kind: "keys"; options: KeysOptions };

export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_DATA_DIR = ".tessera";

export const HELP = `Usage: tessera <command> [options]

Commands:
  dev                 Run a local sessions endpoint with a demo page
  serve               Run the sessions endpoint as a production server (docs/deploy.md)
  keys                Print new production secrets (the TESSERA_* variables)
  keys rotate --in <file>
                      Add a new signing key in front, keep the old ones for verification
  keys prune --in <file>
                      Keep only the newest signing key (after the old tokens expired)

Options for dev:
  --port <n>          Port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host <address>    Address to bind (default ${DEFAULT_HOST})
  --config <file>     Session configs (default ./tessera.config.json, else the built-in seed config)
  --data-dir <dir>    Dev keys and the SQLite database (default ${DEFAULT_DATA_DIR})
  --cors <origin>     Also allow browser calls from this origin (repeatable); pages on
                      http://localhost, 127.0.0.1 and [::1], any port, are always allowed
  --workers <n|auto>  Processes serving the port over one SQLite file (default 1; auto: one per core)

Options for serve:
  --config <file>     Session configs with "issuer" (default ./tessera.config.json)
  --keys <file>       JSON file of the TESSERA_* key variables (default: from the environment)
  --store <url>       sqlite:<path> | postgres://... | memory: (default $TESSERA_STORE, else sqlite:./sessions.db)
  --port <n>          Port to listen on (default ${DEFAULT_PORT})
  --host <address>    Address to bind (default ${DEFAULT_HOST}; 0.0.0.0 for all)
  --workers <n|auto>  Processes serving the port (default 1; auto: one per core)
  --shutdown-timeout <s>  Seconds in-flight requests get after SIGTERM (default 10)

Options for keys:
  --format <f>        json (default), env (dotenv lines) or dev-vars (wrangler's .dev.vars)
  --alg <alg>         ES256 (default) or EdDSA, for the new signing key
  --in <file>         The current secrets, in any of the formats above (rotate, prune)

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
        cors: { type: "string", multiple: true },
        format: { type: "string" },
        alg: { type: "string" },
        in: { type: "string" },
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
  if (command === "keys") return { kind: "keys", options: keysOptions(rest, values) };
  if (command !== "dev" && command !== "serve") throw new CliError(`unknown command "${command}" (try: tessera --help)`, 2);
  if (rest.length > 0) throw new CliError(`unexpected argument "${rest[0]}" for tessera ${command}`, 2);
  const only = [...(command === "dev" ? ["keys", "store", "shutdown-timeout"] : ["data-dir", "cors"]), "format", "alg", "in"];
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
      cors: (values.cors ?? []).map(corsOrigin),
      ...(values.workers !== undefined ? { workers: parseWorkers(values.workers) } : {}),
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

function keysOptions(rest: string[], values: Record<string, unknown>): KeysOptions {
  const misplaced = ["port", "host", "config", "data-dir", "cors", "keys", "store", "workers", "shutdown-timeout"].find((f) => values[f] !== undefined);
  if (misplaced !== undefined) throw new CliError(`option --${misplaced} is not for tessera keys`, 2);
  const [action = "new", extra] = rest;
  if (action !== "new" && action !== "rotate" && action !== "prune") throw new CliError(`unknown keys action "${action}" (rotate or prune)`, 2);
  if (extra !== undefined) throw new CliError(`unexpected argument "${extra}" for tessera keys`, 2);
  const format = (values.format as string | undefined) ?? "json";
  if (!KEYS_FORMATS.includes(format as KeysFormat)) throw new CliError(`--format must be ${KEYS_FORMATS.join(", ")}; got "${format}"`, 2);
  const alg = values.alg as string | undefined;
  if (alg !== undefined && alg !== "ES256" && alg !== "EdDSA") throw new CliError(`--alg must be ES256 or EdDSA; got "${alg}"`, 2);
  const input = nonEmpty("--in", values.in as string | undefined);
  if (action === "new" && input !== undefined) throw new CliError("--in goes with tessera keys rotate or prune", 2);
  if (action !== "new" && input === undefined) throw new CliError(`tessera keys ${action} needs --in <file> (the current secrets)`, 2);
  if (action === "prune" && alg !== undefined) throw new CliError("--alg goes with tessera keys or keys rotate", 2);
  return { action: action as KeysOptions["action"], format: format as KeysFormat, alg, input };
}

/** An origin as a browser sends it: scheme, host, optional port (or `:*`); "*" for any. */
function corsOrigin(raw: string): string {
  const origin = raw.trim().replace(/\/+$/, "");
  if (origin === "*" || /^https?:\/\/[^/?#@\s]+$/i.test(origin)) return origin;
  throw new CliError(`--cors needs an origin like http://localhost:5173 or https://app.example (no path), got "${raw}"`, 2);
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
