import type { JWK } from "jose";
import { configError } from "../config/config-error.js";
import type { AccessKeyEntry } from "../http/access.js";

/**
 * The production secrets as environment variables: the one format `tessera keys` writes (as
 * JSON, env lines or `.dev.vars`), a Worker's secrets hold, and `tessera serve` reads.
 */
export const ENV_KEYS = {
  signingKeys: "TESSERA_SIGNING_KEYS",
  secret: "TESSERA_SECRET",
  secretKeys: "TESSERA_SECRET_KEYS",
  publishableKeys: "TESSERA_PUBLISHABLE_KEYS",
} as const;

/** What createSessionServer needs of the secrets, read from `env`. */
export interface KeysFromEnv {
  keys: JWK[];
  secret: string;
  accessKeys: { secret: AccessKeyEntry[]; publishable: AccessKeyEntry[] };
}

/**
 * Reads the signing keys, the data secret and the access keys from environment variables
 * (`process.env`, a Worker's `env`, `Deno.env.toObject()`). A missing or malformed variable is
 * an INVALID_CONFIG naming the variable, never its value.
 *
 * - `TESSERA_SIGNING_KEYS`: a JSON array of private JWKs, newest (signing) first, or one JWK.
 * - `TESSERA_SECRET`: 32+ bytes, base64url; the session data's encryption key derives from it.
 * - `TESSERA_SECRET_KEYS`: `tsk_...` keys of the backends that start sessions, comma-separated.
 * - `TESSERA_PUBLISHABLE_KEYS`: optional `tpk_...` keys for browsers, comma-separated.
 *
 * A key of either list may be scoped: `tsk_...@shop|blog` reaches products shop and blog only,
 * `tsk_...@shop/prd|snd` only their envs prd and snd (`@`, `|` and `/` never occur in a key).
 */
export function keysFromEnv(env: object): KeysFromEnv {
  // `object`, not a record type: a Worker's `interface Env` has no index signature, and
  // TypeScript does not let an interface stand for one.
  return keysFrom(env as Readonly<Record<string, unknown>>);
}

function keysFrom(env: Readonly<Record<string, unknown>>): KeysFromEnv {
  return {
    keys: signingKeysFrom(env[ENV_KEYS.signingKeys]),
    secret: required(env, ENV_KEYS.secret),
    accessKeys: {
      secret: list(required(env, ENV_KEYS.secretKeys)).map((entry, i) => scoped(entry, ENV_KEYS.secretKeys, i)),
      publishable: list(optional(env, ENV_KEYS.publishableKeys)).map((entry, i) => scoped(entry, ENV_KEYS.publishableKeys, i)),
    },
  };
}

function optional(env: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = env[name];
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string") throw configError(name, "must be a string");
  return value;
}

function required(env: Readonly<Record<string, unknown>>, name: string): string {
  const value = optional(env, name);
  if (value === undefined) throw configError(name, "is not set (generate it with `npx tessera keys`)");
  return value;
}

const list = (value: string | undefined) => (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);

/** `key`, `key@p1|p2` or `key@p1|p2/e1|e2`; createSessionServer checks the key and the names. */
function scoped(entry: string, name: string, index: number): AccessKeyEntry {
  const at = entry.indexOf("@");
  if (at < 0) return entry;
  const [products, envs, extra] = entry.slice(at + 1).split("/");
  const names = (text: string | undefined) => (text ?? "").split("|").map((s) => s.trim()).filter(Boolean);
  if (names(products).length === 0 || extra !== undefined || (envs !== undefined && names(envs).length === 0)) {
    // The position, never the value: it holds a key.
    throw configError(name, `entry ${index + 1} is not "key", "key@product|product" or "key@product|product/env|env"`);
  }
  return { key: entry.slice(0, at), products: names(products), ...(envs !== undefined ? { envs: names(envs) } : {}) };
}

function signingKeysFrom(value: unknown): JWK[] {
  const name = ENV_KEYS.signingKeys;
  const text = required({ [name]: value }, name);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw configError(name, "is not valid JSON (a JSON array of private JWKs, newest first)");
  }
  const keys = Array.isArray(parsed) ? parsed : [parsed];
  if (keys.length === 0 || !keys.every((k) => typeof k === "object" && k !== null && !Array.isArray(k))) {
    throw configError(name, "must be a JSON array of private JWKs, newest first");
  }
  // createSessionServer checks each key (private part, alg, kid) and names its position.
  return keys as JWK[];
}
