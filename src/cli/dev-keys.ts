import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateAccessKey, generateSecret, generateSigningKey } from "../server/index.js";
import { CliError } from "./cli-error.js";

/** `.tessera/keys.json`: everything `tessera dev` must keep between restarts. */
export interface DevKeys {
  note: string;
  createdAt: string;
  /** Private JWKs with `kid` and `alg`; the first signs. */
  signingKeys: JsonWebKey[];
  /** Server secret (the key for the token's encrypted data is derived from it). */
  secret: string;
  accessKeys: { secret: string; publishable: string };
}

const NOTE = "tessera dev keys: local development only, never use them in production";

function keysFileIn(dir: string): string {
  return join(dir, "keys.json");
}

export function databaseFileIn(dir: string): string {
  return join(dir, "sessions.db");
}

/**
 * sessions.db and its -wal and -shm files, owner-only (0600). sqliteStore creates new files so;
 * this tightens those an older version left 0644, since they hold every session of the dev server.
 */
export function tightenDatabaseFiles(dir: string): void {
  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      chmodSync(`${databaseFileIn(dir)}${suffix}`, 0o600);
    } catch {
      // absent (no WAL yet), or not ours to change: the database works either way
    }
  }
}

/** The keys of an earlier run, `undefined` on first run; a damaged file is a one-line error. */
export function readDevKeys(dir: string): DevKeys | undefined {
  const file = keysFileIn(dir);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CliError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const broken = (why: string) =>
    new CliError(`${file}: ${why}; delete it to generate new dev keys (tokens issued with the old ones stop verifying)`);
  let value: Partial<DevKeys>;
  try {
    value = JSON.parse(text) as Partial<DevKeys>;
  } catch {
    throw broken("not valid JSON");
  }
  if (
    typeof value !== "object" ||
    value === null ||
    !Array.isArray(value.signingKeys) ||
    value.signingKeys.length === 0 ||
    !value.signingKeys.every((k) => typeof k === "object" && k !== null && typeof (k as { d?: unknown }).d === "string") ||
    typeof value.secret !== "string" ||
    typeof value.accessKeys?.secret !== "string" ||
    typeof value.accessKeys?.publishable !== "string"
  ) {
    throw broken("missing signingKeys, secret or accessKeys");
  }
  return value as DevKeys;
}

/** A warning when keys.json is readable by group or others (someone copied or chmod-ed it). */
export function looseModeWarning(dir: string): string | undefined {
  const file = keysFileIn(dir);
  const mode = statSync(file).mode & 0o777;
  return mode & 0o077 ? `${file} is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${file}` : undefined;
}

/** One ES256 signing key, a server secret, one secret and one publishable access key. */
export async function newDevKeys(): Promise<DevKeys> {
  return {
    note: NOTE,
    createdAt: new Date().toISOString(),
    signingKeys: [(await generateSigningKey("ES256")) as JsonWebKey],
    secret: generateSecret(),
    accessKeys: { secret: generateAccessKey("secret"), publishable: generateAccessKey("publishable") },
  };
}

/**
 * Creates the data dir (0700) and keys.json (0600). Returns the keys now on disk: ours, or
 * those of another `tessera dev` that wrote first (two first runs at once).
 */
export function saveDevKeys(dir: string, keys: DevKeys): DevKeys {
  ensureDir(dir);
  const file = keysFileIn(dir);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  try {
    // A hard link fails instead of overwriting: keys already handed out stay valid.
    linkSync(temp, file);
    return keys;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readDevKeys(dir)!;
    throw new CliError(`${file}: cannot write (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  } finally {
    unlinkSync(temp);
  }
}

function ensureDir(dir: string): void {
  try {
    const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
    // mkdir's mode is filtered by the umask; be explicit about the dir we made.
    if (created !== undefined) chmodSync(dir, 0o700);
  } catch (error) {
    throw new CliError(`${dir}: cannot create the data dir (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  if (!statSync(dir).isDirectory()) throw new CliError(`${dir}: exists and is not a directory`);
}
