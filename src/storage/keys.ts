import { createStore, get, update } from "idb-keyval";
import { utf8 } from "../shared/base64url.js";
import type { CryptoKeyLike } from "../shared/crypto-key.js";
import { invalidArgument } from "../shared/errors.js";
import { hkdfAesKey } from "../shared/hkdf.js";

const AES: AesKeyGenParams = { name: "AES-GCM", length: 256 };
const USAGES: KeyUsage[] = ["encrypt", "decrypt"];
const KEY_ID = "aes-gcm-256/v1";

/**
 * Edge: the AES-GCM-256 storage key derived from a secret (a Worker secret binding, a Deno env
 * var) with HKDF-SHA-256 (RFC 5869), non-extractable. A secret under 32 bytes is refused
 * at once: HKDF cannot add entropy that is not there.
 * Pass it as `encryptedStorage(cloudflareKVStorage(env.TOKENS), { key: secretKey(env.TOKENS_SECRET) })`.
 */
export function secretKey(secret: string | Uint8Array): Promise<CryptoKeyLike> {
  const bytes = typeof secret === "string" ? utf8(secret) : secret;
  if (!(bytes instanceof Uint8Array) || bytes.length < 32) {
    throw invalidArgument("secret", "must be at least 32 bytes");
  }
  return hkdfAesKey(bytes, "tessera/storage/v1", "session storage");
}

const browserKeys: Record<string, Promise<CryptoKeyLike> | undefined> = {};

/**
 * Browser: a non-extractable AES-GCM `CryptoKey` generated once per origin and kept in
 * IndexedDB, whose structured clone keeps it non-extractable: no script can read the key
 * bytes, only use the key while running in the page. Two tabs may generate one at the same
 * moment; `update` runs in one readwrite transaction and keeps the first stored, and both
 * tabs then read that winner.
 */
export function browserStorageKey(database = "tessera-keys"): Promise<CryptoKeyLike> {
  const store = createStore(database, "keys");
  const load = async (): Promise<CryptoKeyLike> => {
    // Reading needs no write: a full disk (QuotaExceededError) must not hide existing sessions.
    const existing = await get<CryptoKeyLike>(KEY_ID, store);
    if (existing) return existing;
    const fresh = await crypto.subtle.generateKey(AES, false, USAGES);
    await update<CryptoKeyLike>(KEY_ID, (old) => old ?? fresh, store);
    return (await get<CryptoKeyLike>(KEY_ID, store))!;
  };
  // A failure (private mode, quota) is not cached: the next use tries again.
  return (browserKeys[database] ??= load().catch((error) => {
    browserKeys[database] = undefined;
    throw error;
  }));
}
