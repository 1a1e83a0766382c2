import { readFileSync, statSync } from "node:fs";
import { ENV_KEYS, keysFromEnv, type KeysFromEnv } from "../../server/index.js";
import { isSessionError } from "../../shared/errors.js";
import { CliError, oneLine } from "../cli-error.js";

const NAMES = new Set<string>(Object.values(ENV_KEYS));

/**
 * The secrets: from `file` when given (a JSON object whose keys are the TESSERA_* variables, as
 * `tessera keys` writes it), else from the environment. Same checks either way (keysFromEnv);
 * messages name the variable, never its value.
 */
export function loadKeys(file: string | undefined, env: NodeJS.ProcessEnv, warn: (message: string) => void): KeysFromEnv {
  let source: Readonly<Record<string, unknown>> = env;
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new CliError(`${file}: cannot read the keys file (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CliError(`${file}: not valid JSON (expected an object of ${[...NAMES].join(", ")})`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new CliError(`${file}: expected a JSON object of ${[...NAMES].join(", ")}`);
    const unknown = Object.keys(parsed).find((name) => !NAMES.has(name));
    if (unknown !== undefined) throw new CliError(`${file}: unknown field "${unknown.slice(0, 40)}" (allowed: ${[...NAMES].join(", ")})`);
    // Arrays of keys in the file are accepted as the variables' JSON text.
    const record = parsed as Record<string, unknown>;
    const signing = record[ENV_KEYS.signingKeys];
    source = { ...record, ...(typeof signing === "object" && signing !== null ? { [ENV_KEYS.signingKeys]: JSON.stringify(signing) } : {}) };
    if (process.platform !== "win32" && (statSync(file).mode & 0o077) !== 0) {
      warn(`${file} is readable by other users; chmod 600 it`);
    }
  }
  try {
    return keysFromEnv(source);
  } catch (error) {
    if (isSessionError(error)) throw new CliError(`${file ?? "environment"}: ${oneLine(error)}`);
    throw error;
  }
}
