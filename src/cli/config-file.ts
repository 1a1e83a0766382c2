import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CliError, oneLine } from "./cli-error.js";
import { SEED_CONFIG } from "./seed-config.js";

/**
 * The part of `createSessionServer`'s options that lives in tessera.config.json; keys,
 * secret, store and access keys come from the data dir instead. `products` is checked
 * in depth by createSessionServer itself (issue 3 §1), which names product, tag and field.
 */
export interface DevConfig {
  issuer: string;
  products: unknown[];
  /** Passed to createSessionServer as is: lets an app on another localhost port call the endpoint. */
  cors?: unknown;
  /** Passed to createSessionServer as is: `{ nonces: true }` asks DPoP proofs for server nonces (docs/dpop.md). */
  dpop?: unknown;
}

/**
 * The little the CLI itself reads of a product (the demo page's menus, the banner's sample
 * call), once createSessionServer has accepted the config.
 */
export interface ProductView {
  tag: string;
  name?: string;
  envs: string[];
  sessions?: { tag: string; name?: string; public?: boolean; binding?: unknown; schema?: unknown }[];
}

export interface LoadedConfig {
  config: DevConfig;
  /** What to call the config in messages: the path as given, or "built-in seed config". */
  source: string;
  /** Whether the file named an issuer (`tessera serve` requires one; dev defaults to "tessera-dev"). */
  issuerSet: boolean;
}

const DEFAULT_CONFIG_FILE = "tessera.config.json";
export const BUILT_IN = "built-in seed config";
const DEFAULT_ISSUER = "tessera-dev";
const TOP_LEVEL = new Set(["$schema", "issuer", "products", "cors", "dpop"]);

/**
 * `path` given: that file, which must exist. Otherwise ./tessera.config.json when present,
 * else the seed config, so `npx tessera dev` works in an empty folder.
 */
export function loadConfig(path: string | undefined, cwd = process.cwd()): LoadedConfig {
  if (path === undefined) {
    const fallback = resolve(cwd, DEFAULT_CONFIG_FILE);
    const text = readIfExists(fallback);
    if (text === undefined) return { config: structuredClone(SEED_CONFIG), source: BUILT_IN, issuerSet: false };
    return { ...parseConfig(text, DEFAULT_CONFIG_FILE), source: DEFAULT_CONFIG_FILE };
  }
  const text = readIfExists(resolve(cwd, path));
  if (text === undefined) throw new CliError(`${path}: config file not found`);
  return { ...parseConfig(text, path), source: path };
}

function parseConfig(text: string, source: string): { config: DevConfig; issuerSet: boolean } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${source}: not valid JSON (${oneLine(error)})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CliError(`${source}: expected a JSON object with "products"`);
  }
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).find((key) => !TOP_LEVEL.has(key));
  if (unknown !== undefined) {
    throw new CliError(`${source}: unknown field "${unknown}" (allowed: issuer, products, cors, dpop)`);
  }
  if (!Array.isArray(record.products) || record.products.length === 0) {
    throw new CliError(`${source}: "products" must be a non-empty array`);
  }
  if (record.issuer !== undefined && (typeof record.issuer !== "string" || record.issuer === "")) {
    throw new CliError(`${source}: "issuer" must be a non-empty string`);
  }
  const config: DevConfig = {
    issuer: (record.issuer as string | undefined) ?? DEFAULT_ISSUER,
    products: record.products,
    ...(record.cors !== undefined ? { cors: record.cors } : {}),
    ...(record.dpop !== undefined ? { dpop: record.dpop } : {}),
  };
  return { config, issuerSet: record.issuer !== undefined };
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "EISDIR") throw new CliError(`${file}: is a directory, not a config file`);
    throw new CliError(`${file}: cannot read (${code ?? "error"})`);
  }
}
