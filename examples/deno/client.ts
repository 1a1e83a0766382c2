import { createClient, type TesseraClient } from "tessera-sessions";
import { denoKVStorage, encryptedStorage, secretKey } from "tessera-sessions/storage";

export interface BackendClientOptions {
  /** The sessions endpoint, e.g. http://127.0.0.1:8787 */
  baseUrl: string;
  /** tsk_...: this backend may start sessions. */
  accessKey: string;
  /** At least 32 bytes; the AES-GCM key of the stored tokens is derived from it (HKDF). */
  storageSecret: string;
  /** Keeps one app user's sessions apart from another's in the same KV. */
  userKey: string;
}

/**
 * A Deno backend acting for one of its users: the user's session tokens live in Deno KV,
 * AES-GCM-encrypted under a key derived from a secret, never in clear on disk. Refreshes
 * happen on demand (`sessions.get` refreshes when close to expiry), not on a timer.
 */
export function createBackendClient(kv: Deno.Kv, options: BackendClientOptions): TesseraClient {
  return createClient({
    baseUrl: options.baseUrl,
    accessKey: options.accessKey,
    product: "my-product-tag",
    env: "snd",
    storage: encryptedStorage(denoKVStorage(kv, { prefix: ["app-sessions", options.userKey] }), {
      key: secretKey(options.storageSecret),
    }),
  });
}
