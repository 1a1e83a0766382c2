import type { SessionError } from "../shared/errors.js";

/**
 * The one interface every client storage adapter implements: async, string values,
 * so the same adapter works for IndexedDB, Workers KV, Deno KV and memory.
 */
export interface SessionStorage {
  get(key: string): Promise<string | null>;
  /** `ttlSeconds` is a hint: adapters with native expiry (KV) use it, others may ignore it. */
  set(key: string, value: string, options?: { ttlSeconds?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Optional: adapters that fail softly (encryptedStorage reads a tampered record as "absent")
   * report those failures here, so the client can surface them as change events.
   * Returns an unsubscribe function.
   */
  onError?(listener: (error: SessionError) => void): () => void;
}
