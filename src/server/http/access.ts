import { SessionError } from "../../shared/errors.js";
import { configError } from "../config/config-error.js";
import type { ProductTable } from "../config/products.js";
import { sha256Base64url, timingSafeEqualText } from "../tokens/primitives.js";

export type KeyKind = "secret" | "publishable";

/** Who is calling: the kind of key, what it may reach, and a fingerprint that scopes idempotency keys per caller. */
export interface Caller {
  kind: KeyKind;
  fingerprint: string;
  /** Products the key reaches; null: every product (the global form). */
  products: ReadonlySet<string> | null;
  /** Envs the key reaches within them; null: every env. */
  envs: ReadonlySet<string> | null;
}

/** An access key limited to some products and, optionally, some of their envs. */
export interface ScopedAccessKey {
  key: string;
  products: string[];
  envs?: string[];
}

/** A plain string reaches every product (the original form, still accepted). */
export type AccessKeyEntry = string | ScopedAccessKey;

export interface AccessKeysInput {
  secret: AccessKeyEntry[];
  publishable?: AccessKeyEntry[];
}

export interface AccessKeys {
  /** The caller behind `Authorization: Bearer <key>`; null when there is none. 401 for a wrong key. */
  identify(request: Request): Promise<Caller | null>;
}

const KEY_FORMAT = /^t[sp]k_[A-Za-z0-9_-]{32,}$/;

interface Configured {
  key: string;
  kind: KeyKind;
  products: ReadonlySet<string> | null;
  envs: ReadonlySet<string> | null;
}

/**
 * Every configured key is compared with the presented one in constant time (no early exit,
 * and the loop runs over the configured key's length, not the presented one's), so neither
 * timing nor the order of keys tells a caller how close a guess was. Keys are never logged
 * or echoed. A key's scope (products, envs) is checked after it is found, against the request's
 * product and env, which are public: no secret-dependent branch.
 *
 * Issue 5 (throughput): the comparison is synchronous. It used to hash the presented key with
 * crypto.subtle.digest first, one thread-pool round trip per request that cost as much main
 * thread time as the token's AES-GCM encryption. The SHA-256 digests of the configured keys
 * are still computed once, at creation: they are the callers' fingerprints (idempotency scope).
 */
export function createAccessKeys(input: unknown, products: ProductTable): AccessKeys {
  const keys = input as { secret?: unknown; publishable?: unknown } | undefined;
  if (typeof keys !== "object" || keys === null) throw configError("accessKeys", "is required: { secret: [\"tsk_...\"], publishable?: [\"tpk_...\"] }");
  const configured = [
    ...checkList(keys.secret, "secret", "tsk_", true, products),
    ...checkList(keys.publishable ?? [], "publishable", "tpk_", false, products),
  ];
  const callers: Caller[] = configured.map(({ key, kind, products: p, envs }) => ({ kind, fingerprint: sha256Base64url(key), products: p, envs }));
  return {
    async identify(request) {
      const header = request.headers.get("authorization");
      if (header === null) return null;
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) return null;
      const presented = match[1]!;
      let found: Caller | undefined;
      for (let i = 0; i < configured.length; i++) {
        if (timingSafeEqualText(presented, configured[i]!.key) && !found) found = callers[i];
      }
      if (!found) throw new SessionError("UNAUTHORIZED", "the access key is not valid");
      return found;
    },
  };
}

function checkList(list: unknown, field: string, prefix: string, required: boolean, products: ProductTable): Configured[] {
  if (!Array.isArray(list) || (required && list.length === 0)) {
    throw configError(`accessKeys.${field}`, `must be ${required ? "a non-empty" : "an"} array of "${prefix}..." keys (see generateAccessKey)`);
  }
  const kind = field as KeyKind;
  return list.map((entry: unknown, i) => {
    const at = `accessKeys.${field}[${i}]`;
    const scoped = typeof entry === "object" && entry !== null;
    const key = scoped ? (entry as { key?: unknown }).key : entry;
    if (typeof key !== "string" || !key.startsWith(prefix) || !KEY_FORMAT.test(key)) {
      // The message names the position, never the value: keys are secrets.
      throw configError(scoped ? `${at}.key` : at, `is not a ${field} key ("${prefix}" and at least 32 base64url characters)`);
    }
    if (!scoped) return { key, kind, products: null, envs: null };
    const { products: listed, envs } = entry as { products?: unknown; envs?: unknown };
    if (!Array.isArray(listed) || listed.length === 0 || !listed.every((p) => typeof p === "string")) {
      throw configError(`${at}.products`, "must be a non-empty array of product tags");
    }
    const unknownProduct = listed.find((p: string) => !products.has(p));
    if (unknownProduct !== undefined) throw configError(`${at}.products`, `product "${unknownProduct}" is not configured`);
    if (envs === undefined) return { key, kind, products: new Set(listed as string[]), envs: null };
    if (!Array.isArray(envs) || envs.length === 0 || !envs.every((e) => typeof e === "string")) {
      throw configError(`${at}.envs`, "must be a non-empty array of envs (or left out: every env)");
    }
    const unknownEnv = envs.find((e: string) => !listed.some((p: string) => products.get(p)!.envs.has(e)));
    if (unknownEnv !== undefined) throw configError(`${at}.envs`, `env "${unknownEnv}" is not configured for any of its products`);
    return { key, kind, products: new Set(listed as string[]), envs: new Set(envs as string[]) };
  });
}

/** 401 when no key was presented. */
export function requireCaller(caller: Caller | null): Caller {
  if (!caller) throw new SessionError("UNAUTHORIZED", "an access key is required (Authorization: Bearer <key>)");
  return caller;
}

/** 403 for publishable keys. */
export function requireSecretKey(caller: Caller | null): Caller {
  const known = requireCaller(caller);
  if (known.kind !== "secret") throw new SessionError("FORBIDDEN", "this operation needs a secret key");
  return known;
}

/**
 * 403 when a scoped key is used outside its products or envs; a global key (or no key) passes.
 * An absent product or env is not checked (users and timelines: "every one the key reaches").
 */
export function requireKeyScope(caller: Caller | null, product: string | undefined, env: string | undefined): void {
  if (!caller) return;
  if (product !== undefined && caller.products && !caller.products.has(product)) {
    throw new SessionError("FORBIDDEN", `this access key is not allowed for product "${product}"`, { field: "product" });
  }
  if (env !== undefined && caller.envs && !caller.envs.has(env)) {
    throw new SessionError("FORBIDDEN", `this access key is not allowed for env "${env}"${product !== undefined ? ` of product "${product}"` : ""}`, { field: "env" });
  }
}

/** Whether the key reaches this product and env: requireKeyScope's test, without the throw. */
export const keyReaches = (caller: Caller | null, { product, env }: { product: string; env: string }): boolean =>
  !caller || ((!caller.products || caller.products.has(product)) && (!caller.envs || caller.envs.has(env)));
