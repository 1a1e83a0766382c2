import { SessionError } from "../../shared/errors.js";
import { configError } from "../config/config-error.js";
import { sha256Base64url, timingSafeEqualText } from "../tokens/primitives.js";

export type KeyKind = "secret" | "publishable";
/** Who is calling: the kind of key, and a fingerprint that scopes idempotency keys per caller. */
export interface Caller {
  kind: KeyKind;
  fingerprint: string;
}

export interface AccessKeys {
  /** The caller behind `Authorization: Bearer <key>`; null when there is none. 401 for a wrong key. */
  identify(request: Request): Promise<Caller | null>;
}

const KEY_FORMAT = /^t[sp]k_[A-Za-z0-9_-]{32,}$/;

/**
 * Every configured key is compared with the presented one in constant time (no early exit,
 * and the loop runs over the configured key's length, not the presented one's), so neither
 * timing nor the order of keys tells a caller how close a guess was. Keys are never logged
 * or echoed.
 *
 * Issue 5 (throughput): the comparison is synchronous. It used to hash the presented key with
 * crypto.subtle.digest first, one thread-pool round trip per request that cost as much main
 * thread time as the token's AES-GCM encryption. The SHA-256 digests of the configured keys
 * are still computed once, at creation: they are the callers' fingerprints (idempotency scope).
 */
export function createAccessKeys(input: unknown): AccessKeys {
  const keys = input as { secret?: unknown; publishable?: unknown } | undefined;
  if (typeof keys !== "object" || keys === null) throw configError("accessKeys", "is required: { secret: [\"tsk_...\"], publishable?: [\"tpk_...\"] }");
  const secret = checkList(keys.secret, "secret", "tsk_", true);
  const publishable = checkList(keys.publishable ?? [], "publishable", "tpk_", false);
  const configured = [...secret.map((k) => ({ k, kind: "secret" as const })), ...publishable.map((k) => ({ k, kind: "publishable" as const }))];
  let callers: Caller[] | undefined;
  const fingerprints = Promise.all(configured.map(({ k }) => sha256Base64url(k))).then((list) => {
    callers = configured.map(({ kind }, i) => ({ kind, fingerprint: list[i]! }));
    return callers;
  });
  return {
    async identify(request) {
      const header = request.headers.get("authorization");
      if (header === null) return null;
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) return null;
      const presented = match[1]!;
      const known = callers ?? (await fingerprints);
      let found: Caller | undefined;
      for (let i = 0; i < configured.length; i++) {
        if (timingSafeEqualText(presented, configured[i]!.k) && !found) found = known[i];
      }
      if (!found) throw new SessionError("UNAUTHORIZED", "the access key is not valid");
      return found;
    },
  };
}

function checkList(list: unknown, field: string, prefix: string, required: boolean): string[] {
  if (!Array.isArray(list) || (required && list.length === 0)) {
    throw configError(`accessKeys.${field}`, `must be ${required ? "a non-empty" : "an"} array of "${prefix}..." keys (see generateAccessKey)`);
  }
  list.forEach((key, i) => {
    if (typeof key !== "string" || !key.startsWith(prefix) || !KEY_FORMAT.test(key)) {
      // The message names the position, never the value: keys are secrets.
      throw configError(`accessKeys.${field}[${i}]`, `is not a ${field} key ("${prefix}" and at least 32 base64url characters)`);
    }
  });
  return list as string[];
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
