import { utf8 } from "../shared/base64url.js";
import { configError } from "./config/config-error.js";
import { checkProducts } from "./config/products.js";
import type { SessionServerOptions } from "./config/types.js";
import type { ServerContext } from "./context.js";
import { createAccessKeys } from "./http/access.js";
import { createCors } from "./http/cors.js";
import { createDpopNonces } from "./dpop/nonce.js";
import { createKeyring } from "./keys/keyring.js";
import { createRouter } from "./router.js";
import { queueActivity } from "./stores/activity-queue.js";
import { createDataCipher } from "./tokens/data-cipher.js";
import { serverKey } from "./tokens/primitives.js";
import { createKeyedLock } from "./keyed-lock.js";

export interface SessionServer {
  /** A plain fetch handler: Workers `export default { fetch }`, `Deno.serve(fetch)`, or the CLI. */
  fetch(request: Request): Promise<Response>;
  /** Removes ended sessions and activity past retention (after writing the queued activity). */
  purge(): Promise<{ sessions: number; activity: number }>;
  /**
   * Writes the activity events still queued (stores with `recordActivities` write them after
   * the answer; see SECURITY.md, "Activity log"). Call it before closing the store.
   */
  flush(): Promise<void>;
}

const DAY_MS = 86_400_000;

/** Checks every option now (STYLE.md §7: invalid options throw at creation), then serves. */
export function createSessionServer(options: SessionServerOptions): SessionServer {
  if (typeof options !== "object" || options === null) throw configError("options", "createSessionServer needs an options object");
  if (typeof options.issuer !== "string" || options.issuer.length === 0) throw configError("issuer", "is required (usually the endpoint's origin)");
  if (typeof options.secret !== "string" || utf8(options.secret).length < 32) {
    throw configError("secret", "must be a string of at least 32 bytes (see generateSecret)");
  }
  const store = options.store;
  if (typeof store !== "object" || store === null || typeof store.rotateRefresh !== "function") {
    throw configError("store", "is required: memoryStore(), sqliteStore({ path }) or d1Store(env.DB)");
  }
  const graceSeconds = options.refreshGraceSeconds ?? 10;
  if (typeof graceSeconds !== "number" || !(graceSeconds >= 0 && graceSeconds <= 300)) throw configError("refreshGraceSeconds", "must be between 0 and 300");
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1024) throw configError("maxBodyBytes", "must be an integer of at least 1024");
  const trackLimits = { events: options.trackLimits?.events ?? 1_000, dataLength: options.trackLimits?.dataLength ?? 262_144 };
  if (options.trackLimits !== undefined && (typeof options.trackLimits !== "object" || options.trackLimits === null)) {
    throw configError("trackLimits", "must be an object { events?, dataLength? }");
  }
  for (const field of ["events", "dataLength"] as const) {
    if (!Number.isInteger(trackLimits[field]) || trackLimits[field] < 0) throw configError(`trackLimits.${field}`, "must be a non-negative integer");
  }
  const retentionDays = options.activityRetentionDays ?? 90;
  if (typeof retentionDays !== "number" || !(retentionDays > 0)) throw configError("activityRetentionDays", "must be a positive number");

  if (options.dpop !== undefined && (typeof options.dpop !== "object" || options.dpop === null)) throw configError("dpop", "must be an object: { nonces?: boolean }");
  const secret = options.secret;
  const products = checkProducts(options.products);
  const onError = options.onError ?? (() => {});
  const queued = queueActivity(store, (error) => {
    try {
      onError(error);
    } catch {
      // A failing logger must not fail the writes after it.
    }
  });
  let idempotencyKey: Promise<CryptoKey> | undefined;
  const now = options.now ?? Date.now;
  const server: ServerContext = {
    issuer: options.issuer,
    keyring: createKeyring(options.keys),
    cipher: createDataCipher(secret),
    store: queued,
    products,
    access: createAccessKeys(options.accessKeys, products),
    graceMs: graceSeconds * 1000,
    maxBodyBytes,
    trackLimits,
    trackLock: createKeyedLock(),
    // Its own HKDF label: the data key is never used for anything but session data.
    idempotencyKey: () => (idempotencyKey ??= serverKey(utf8(secret), "tessera idempotent-answers")),
    dpopNonces: options.dpop?.nonces === true ? createDpopNonces(secret) : null,
    now: () => now(),
    onError,
  };
  return {
    fetch: createRouter(server, createCors(options.cors)),
    async purge() {
      const at = server.now();
      return queued.purge({ now: at, sessionsBefore: at, activityBefore: at - retentionDays * DAY_MS });
    },
    flush: () => queued.flush(),
  };
}
