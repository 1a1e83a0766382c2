import { decodeBase64url, encodeBase64url, utf8 } from "../shared/base64url.js";
import { SessionError } from "../shared/errors.js";
import { browserStorageKey, secretKey } from "./keys.js";
import type { SessionStorage } from "./types.js";

export interface EncryptedStorageOptions {
  /**
   * The AES-GCM-256 key, or a promise or function of one. Default: the browser's
   * non-extractable key kept in IndexedDB (browserStorageKey).
   */
  key?: CryptoKey | Promise<CryptoKey> | (() => Promise<CryptoKey>);
  /**
   * At the edge, instead of `key`: a secret of at least 32 bytes (a Worker secret binding, a
   * Deno env var) from which the key is derived with HKDF-SHA-256 (`secretKey(secret)`).
   */
  secret?: string | Uint8Array;
  /** Called for every record that cannot be read (tampered, truncated, other key). */
  onError?: (error: SessionError) => void;
}

const OPTIONS = ["key", "secret", "onError"];

/**
 * Wraps any storage so values are AES-GCM-256 ciphertext at rest, as
 * `v1.<base64url(iv)>.<base64url(ciphertext+tag)>`: a fresh random 96-bit IV per write
 * (NIST SP 800-38D §8.2.2), and the storage key as additional authenticated data, so a record
 * copied under another key (another tag, product or env) fails authentication.
 *
 * A tampered, truncated or undecryptable record reads as `null` and is reported through
 * `onError`; `get` never throws for it and never touches other records.
 * Options are checked at creation: an unknown name (a typo'd `secrets`), both `key` and
 * `secret`, or a short secret throw INVALID_ARGUMENT here, not at the first write at the edge.
 */
export function encryptedStorage(inner: SessionStorage, options: EncryptedStorageOptions = {}): SessionStorage {
  for (const name in options) {
    if (!OPTIONS.includes(name)) throw new SessionError("INVALID_ARGUMENT", `${name} is not an encryptedStorage option`, { field: name });
  }
  const { key: given, secret } = options;
  if (given && secret !== undefined) throw new SessionError("INVALID_ARGUMENT", "give key or secret, not both", { field: "secret" });
  let pending: Promise<CryptoKey> | undefined = secret === undefined ? undefined : secretKey(secret);
  const key = () =>
    (pending ??= Promise.resolve(typeof given === "function" ? given() : (given ?? browserStorageKey())).catch((error) => {
      pending = undefined;
      throw error;
    }));
  const listeners = new Set(options.onError ? [options.onError] : []);
  const gcm = (storageKey: string, iv: Uint8Array): AesGcmParams => ({
    name: "AES-GCM",
    iv: iv as Uint8Array<ArrayBuffer>,
    additionalData: utf8(storageKey) as Uint8Array<ArrayBuffer>,
  });
  // A malformed part decodes to no bytes, which AES-GCM then refuses like any bad record.
  const decode = (text = "") => (decodeBase64url(text) ?? new Uint8Array()) as Uint8Array<ArrayBuffer>;

  return {
    async get(storageKey) {
      try {
        const record = await inner.get(storageKey);
        if (record === null) return null;
        const [version, iv, ciphertext, extra] = record.split(".");
        if (version !== "v1" || extra !== undefined) throw new Error("not a v1 record");
        const plaintext = await crypto.subtle.decrypt(gcm(storageKey, decode(iv)), await key(), decode(ciphertext));
        return new TextDecoder().decode(plaintext);
      } catch (cause) {
        const error = new SessionError("STORAGE_ERROR", `cannot decrypt "${storageKey}"`, { cause });
        listeners.forEach((listener) => listener(error));
        return null;
      }
    },
    async set(storageKey, value, setOptions) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ciphertext = await crypto.subtle.encrypt(gcm(storageKey, iv), await key(), utf8(value) as Uint8Array<ArrayBuffer>);
      await inner.set(storageKey, `v1.${encodeBase64url(iv)}.${encodeBase64url(new Uint8Array(ciphertext))}`, setOptions);
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
