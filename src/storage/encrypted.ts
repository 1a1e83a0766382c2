import { utf8 } from "../shared/base64url.js";
import type { CryptoKeyLike } from "../shared/crypto-key.js";
import { SessionError, invalidArgument } from "../shared/errors.js";
import { browserStorageKey } from "./keys.js";
import { fromBase64url, toBase64url } from "./lenient-base64url.js";
import type { SessionStorage } from "./types.js";

export interface EncryptedStorageOptions {
  /**
   * The AES-GCM-256 key, or a promise or function of one. Default: the browser's
   * non-extractable key kept in IndexedDB (browserStorageKey). At the edge:
   * `secretKey(env.SECRET)`, HKDF-SHA-256 of a secret of at least 32 bytes. (A `secret` option
   * would put that derivation in every web app's bundle: it is chosen at run time.)
   */
  key?: CryptoKeyLike | Promise<CryptoKeyLike> | (() => Promise<CryptoKeyLike>);
  /** Called for every record that cannot be read (tampered, truncated, other key). */
  onError?: (error: SessionError) => void;
}

/**
 * Wraps any storage so values are AES-GCM-256 ciphertext at rest, as
 * `v1.<base64url(iv)>.<base64url(ciphertext+tag)>`: a fresh random 96-bit IV per write
 * (NIST SP 800-38D §8.2.2), and the record's full physical key (the adapter's prefix included,
 * `inner.physicalKey`) as additional authenticated data, so a record copied under another key
 * (another tag, product, env, or another visitor's prefix) fails authentication.
 *
 * A tampered, truncated or undecryptable record reads as `null` and is reported through
 * `onError`; `get` never throws for it and never touches other records.
 * Options are checked at creation: an unknown name (a typo'd `keys`, or `secret`: pass
 * `key: secretKey(secret)`) throws INVALID_ARGUMENT here, not at the first write at the edge.
 */
export function encryptedStorage(inner: SessionStorage, options: EncryptedStorageOptions = {}): SessionStorage {
  for (const name in options) {
    if (name !== "key" && name !== "onError") throw invalidArgument(name, "is not an option");
  }
  const { key: given } = options;
  let pending: Promise<CryptoKeyLike> | undefined;
  const key = () =>
    (pending ??= Promise.resolve(typeof given === "function" ? given() : (given ?? browserStorageKey())).catch((error) => {
      pending = undefined;
      throw error;
    }));
  const listeners = new Set(options.onError ? [options.onError] : []);
  const physicalKey = (storageKey: string) => inner.physicalKey?.(storageKey) ?? storageKey;
  const gcm = (storageKey: string, iv: Uint8Array): AesGcmParams => ({
    name: "AES-GCM",
    iv: iv as Uint8Array<ArrayBuffer>,
    additionalData: utf8(physicalKey(storageKey)) as Uint8Array<ArrayBuffer>,
  });

  return {
    async get(storageKey) {
      try {
        const record = await inner.get(storageKey);
        if (record === null) return null;
        const [version, iv, ciphertext, extra] = record.split(".");
        if (version !== "v1" || extra !== undefined) throw new Error("not a v1 record");
        // A missing or malformed part throws here or fails authentication: no session either way.
        const plaintext = await crypto.subtle.decrypt(gcm(storageKey, fromBase64url(iv!)), await key(), fromBase64url(ciphertext!));
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
      await inner.set(storageKey, `v1.${toBase64url(iv)}.${toBase64url(new Uint8Array(ciphertext))}`, setOptions);
    },
    delete: (storageKey) => inner.delete(storageKey),
    physicalKey,
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
