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
   * Optional: where the adapter really keeps `key`, when that is more than `key` (a prefix, a
   * key path), as a string that differs for every distinct place. encryptedStorage binds it as
   * AES-GCM additional data, so a record copied under another prefix (another visitor's) fails
   * authentication. An adapter that adds a prefix and leaves this out loses that binding.
   */
  physicalKey?(key: string): string;
  /**
   * Optional: adapters that fail softly (encryptedStorage reads a tampered record as "absent")
   * report those failures here, so the client can surface them as change events.
   * Returns an unsubscribe function.
   */
  onError?(listener: (error: SessionError) => void): () => void;
}
