import { SessionError } from "../shared/errors.js";
import { browserStorageKey } from "./keys.js";
import type { SessionStorage } from "./types.js";

export interface EncryptedStorageOptions {
  /**
   * The AES-GCM-256 key, or a promise or function of one. Default: the browser's
   * non-extractable key kept in IndexedDB (browserStorageKey). At the edge: `secretKey(secret)`.
   */
  key?: CryptoKey | Promise<CryptoKey> | (() => Promise<CryptoKey>);
  /** Called for every record that cannot be read (tampered, truncated, other key). */
  onError?: (error: SessionError) => void;
}

const encoder = new TextEncoder();

/** RFC 4648 §5 base64url without padding. */
const encode = (bytes: Uint8Array) => {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};
const decode = (text: string) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

/**
 * Wraps any storage so values are AES-GCM-256 ciphertext at rest, as
 * `v1.<base64url(iv)>.<base64url(ciphertext+tag)>`: a fresh random 96-bit IV per write
 * (NIST SP 800-38D §8.2.2), and the storage key as additional authenticated data, so a record
 * copied under another key (another tag, product or env) fails authentication.
 *
 * A tampered, truncated or undecryptable record reads as `null` and is reported through
 * `onError`; `get` never throws for it and never touches other records.
 */
export function encryptedStorage(inner: SessionStorage, options: EncryptedStorageOptions = {}): SessionStorage {
  const given = options.key;
  let pending: Promise<CryptoKey> | undefined;
  const key = () =>
    (pending ??= Promise.resolve(typeof given === "function" ? given() : (given ?? browserStorageKey())).catch((error) => {
      pending = undefined;
      throw error;
    }));
  const listeners = new Set(options.onError ? [options.onError] : []);
  const gcm = (storageKey: string, iv: Uint8Array): AesGcmParams => ({
    name: "AES-GCM",
    iv: iv as Uint8Array<ArrayBuffer>,
    additionalData: encoder.encode(storageKey),
  });

  return {
    async get(storageKey) {
      try {
        const record = await inner.get(storageKey);
        if (record === null) return null;
        const [version, iv, ciphertext, extra] = record.split(".");
        if (version !== "v1" || extra !== undefined) throw new TypeError("unknown record format");
        const plaintext = await crypto.subtle.decrypt(gcm(storageKey, decode(iv!)), await key(), decode(ciphertext!));
        return new TextDecoder().decode(plaintext);
      } catch (cause) {
        const error = new SessionError("STORAGE_ERROR", `the record under "${storageKey}" cannot be read; read as absent`, { cause });
        listeners.forEach((listener) => listener(error));
        return null;
      }
    },
    async set(storageKey, value, setOptions) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ciphertext = await crypto.subtle.encrypt(gcm(storageKey, iv), await key(), encoder.encode(value));
      await inner.set(storageKey, `v1.${encode(iv)}.${encode(new Uint8Array(ciphertext))}`, setOptions);
    },
    delete: (storageKey) => inner.delete(storageKey),
    onError(listener) {
      listeners.add(listener);
      const stopInner = inner.onError?.(listener);
      return () => {
        listeners.delete(listener);
        stopInner?.();
      };
    },
  };
}
