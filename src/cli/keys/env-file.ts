import { ENV_KEYS } from "../../server/keys/from-env.js";
import { CliError } from "../cli-error.js";

/** The production secrets as keysFromEnv reads them: the four variables, each a string. */
export type SecretsEnv = Record<(typeof ENV_KEYS)[keyof typeof ENV_KEYS], string>;

export type KeysFormat = "json" | "env" | "dev-vars";
export const KEYS_FORMATS: KeysFormat[] = ["json", "env", "dev-vars"];

const NAMES = Object.values(ENV_KEYS);

const HEADERS: Record<Exclude<KeysFormat, "json">, string[]> = {
  env: [
    "# tessera production secrets (tessera keys). Load with `node --env-file`, dotenv or `set -a; . ./file`,",
    "# or give each line to your platform's secret store. Never commit this file.",
  ],
  "dev-vars": ["# .dev.vars for `wrangler dev` (tessera keys --format dev-vars). Never commit this file."],
};

/**
 * Prints the secrets. JSON is an object of the four variables (`keysFromEnv(JSON.parse(text))`
 * works on it); env and `.dev.vars` are dotenv lines, every value in single quotes: dotenv,
 * wrangler's .dev.vars parser, `node --env-file` and a POSIX shell all take a single-quoted
 * value literally, so the JSON of TESSERA_SIGNING_KEYS (double quotes, commas) survives each.
 */
export function formatSecrets(env: SecretsEnv, format: KeysFormat): string {
  if (format === "json") return `${JSON.stringify(env, null, 2)}\n`;
  const lines = NAMES.map((name) => {
    const value = env[name];
    // Generated values are JSON and base64url; a quote could come only from an edited input file.
    if (/['\n\r]/.test(value)) throw new CliError(`${name}: a value with a single quote or a line break cannot be written as a dotenv line`);
    return `${name}='${value}'`;
  });
  return `${[...HEADERS[format], ...lines].join("\n")}\n`;
}

/**
 * Reads what formatSecrets wrote, in any of its formats, or plain env lines (`export NAME=...`,
 * unquoted, single- or double-quoted). Unknown names are ignored; comments and blank lines too.
 */
export function parseSecrets(text: string, source: string): Record<string, string> {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new CliError(`${source}: starts with "{" but is not valid JSON`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new CliError(`${source}: must be a JSON object of the TESSERA_* variables`);
    return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === "string")) as Record<string, string>;
  }
  const env: Record<string, string> = {};
  for (const [i, raw] of trimmed.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new CliError(`${source}:${i + 1}: not a NAME=value line`);
    env[match[1]!] = unquote(match[2]!);
  }
  return env;
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === "'" || quote === '"') && value.endsWith(quote) && value.length >= 2) {
    const inner = value.slice(1, -1);
    // dotenv expands \n inside double quotes only; our values never hold one.
    return quote === '"' ? inner.replace(/\\n/g, "\n").replace(/\\"/g, '"') : inner;
  }
  return value.replace(/\s+#.*$/, ""); // an unquoted value ends at a comment
}
