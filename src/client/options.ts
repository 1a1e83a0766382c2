import { encryptedStorage } from "../storage/encrypted.js";
import { indexedDBStorage } from "../storage/indexeddb.js";
import { memoryStorage } from "../storage/memory.js";
import type { SessionStorage } from "../storage/types.js";
import { hasBroadcastChannel, hasDocument, hasIndexedDB } from "./runtime.js";
import type { ClientOptions } from "./types.js";
import type { DpopKey } from "./dpop.js";
import { invalidArgument as invalid } from "../shared/errors.js";
import { check, requireObject } from "./validate.js";

export interface NormalizedOptions {
  baseUrl: string;
  accessKey: string | undefined;
  product: string | undefined;
  env: string | undefined;
  storage: SessionStorage;
  fetch: ((request: Request) => Promise<Response>) | undefined;
  timeout: number;
  refreshMargin: number | undefined;
  retries: number;
  autoRefresh: boolean;
  /** Channel name, or undefined for no sharing. */
  broadcast: string | undefined;
  now: () => number;
  /** The DPoP key (dpop.ts), when sessions are bound; never set in the script-tag build. */
  dpop?: DpopKey | undefined;
}

/** Every option and the type it must have; anything else is refused (a typo'd `baseURL` fails loudly). */
const TYPES: Record<string, string> = {
  baseUrl: "", accessKey: "", product: "", env: "", storage: "object", fetch: "function", timeout: "number",
  refreshMargin: "number", retries: "number", autoRefresh: "boolean", broadcast: "", now: "function",
};
if (typeof TESSERA_SCRIPT_TAG === "undefined") TYPES.dpop = "object";

/**
 * Options are checked and normalised once, here, against typed defaults (ky's normalize.ts):
 * an invalid option throws INVALID_ARGUMENT from createClient, not from the first call.
 */
export function normalizeOptions(options: ClientOptions): NormalizedOptions {
  const o = requireObject(options, "options");
  for (const key in o) {
    const type = TYPES[key];
    if (type === undefined) throw invalid(key, "is not an option");
    if (type && o[key] !== undefined && typeof o[key] !== type) throw invalid(key, `must be a ${type}`);
  }
  const { storage, timeout = 10_000, refreshMargin, retries = 2, broadcast, autoRefresh, now } = o as Partial<NormalizedOptions>;
  // Timers take at most 2^31 - 1 ms.
  const range = <T extends number | undefined>(key: string, value: T, ok: boolean): T => {
    if (value !== undefined && !(ok && value >= 0 && value < 2 ** 31)) throw invalid(key, "is out of range");
    return value;
  };
  if (storage && !["get", "set", "delete"].every((m) => typeof storage[m as keyof SessionStorage] === "function")) {
    throw invalid("storage", "needs get, set and delete");
  }
  const accessKey = check(o.accessKey, "accessKey", "?");
  // A key travels in a header, and fetch refuses a non-Latin-1 header value with a bare
  // TypeError at the first call (a copied "tpk_…" placeholder): refuse it here instead.
  if (/[^!-~]/.test(accessKey)) throw invalid("accessKey", "must be printable ASCII");
  const inPage = hasDocument();
  return {
    baseUrl: baseUrl(o.baseUrl),
    accessKey,
    product: check(o.product, "product", "?"),
    env: check(o.env, "env", "?"),
    // Browser default: encrypted IndexedDB with the non-extractable key; elsewhere memory.
    storage: storage ?? (hasIndexedDB() ? encryptedStorage(indexedDBStorage()) : memoryStorage()),
    fetch: o.fetch as NormalizedOptions["fetch"],
    timeout: range("timeout", timeout, timeout > 0),
    refreshMargin: range("refreshMargin", refreshMargin, true),
    retries: range("retries", retries, Number.isInteger(retries) && retries <= 10),
    autoRefresh: autoRefresh ?? inPage,
    broadcast: (broadcast ?? (inPage && hasBroadcastChannel())) === true ? "tessera" : broadcast ? check(broadcast, "broadcast") : undefined,
    now: now ?? Date.now,
    ...(typeof TESSERA_SCRIPT_TAG === "undefined" ? { dpop: o.dpop as DpopKey | undefined } : {}),
  };
}

function baseUrl(value: unknown): string {
  let url: URL | undefined;
  try {
    url = new URL(value as string);
  } catch {
    // refused below
  }
  // No query, fragment or credentials: paths are appended, and credentials would end up in logs.
  if (!/^https?:$/.test(url?.protocol ?? "") || url!.search || url!.hash || url!.username || url!.password) {
    throw invalid("baseUrl", "must be an http(s) URL, no query, hash or credentials");
  }
  return url!.href.replace(/\/*$/, "/");
}

/** Defined as true only by the script-tag build, which has no dpopKey: DPoP hook points fold away there (runtime.ts). */
declare const TESSERA_SCRIPT_TAG: true | undefined;
