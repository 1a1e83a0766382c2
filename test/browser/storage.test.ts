import { describe, expect, it } from "vitest";
import { browserStorageKey, encryptedStorage, indexedDBStorage } from "../../src/storage/index.js";
import { describeStorage } from "../storage/storage-suite.js";

let n = 0;
const fresh = () => indexedDBStorage({ database: `tessera-chromium-${Date.now()}-${++n}` });

describeStorage("indexedDBStorage (Chromium)", fresh);
describeStorage("encryptedStorage(indexedDBStorage) with the browser key (Chromium)", () => encryptedStorage(fresh()));

function rawRecord(database: string, store: string, key: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(database);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const request = open.result.transaction(store, "readonly").objectStore(store).get(key);
      request.onsuccess = () => {
        resolve(request.result);
        open.result.close();
      };
      request.onerror = () => reject(request.error);
    };
  });
}

describe("the browser storage key in Chromium", () => {
  it("is non-extractable, also after the structured clone into IndexedDB and back", async () => {
    const key = await browserStorageKey();
    expect(key).toBeInstanceOf(CryptoKey);
    expect(key.extractable).toBe(false);
    expect(key.usages.sort()).toEqual(["decrypt", "encrypt"]);
    await expect(crypto.subtle.exportKey("raw", key)).rejects.toThrow();
    await expect(crypto.subtle.exportKey("jwk", key)).rejects.toThrow();
    const stored = (await rawRecord("tessera-keys", "keys", "aes-gcm-256/v1")) as CryptoKey;
    expect(stored).toBeInstanceOf(CryptoKey);
    expect(stored.extractable).toBe(false);
    await expect(crypto.subtle.exportKey("raw", stored)).rejects.toThrow();
  });

  it("the raw IndexedDB record is ciphertext with no trace of the token", async () => {
    const database = `tessera-raw-${Date.now()}`;
    const token = "session-tag:eyJhbGciOiJFUzI1NiJ9.eyJzaWQiOiJzMSJ9.c2lnbmF0dXJl";
    const refreshToken = "session-tag:b3BhcXVlLXJlZnJlc2gtdG9rZW4tMjU2LWJpdHM";
    const storage = encryptedStorage(indexedDBStorage({ database }));
    await storage.set("tessera:p:e:session-tag", JSON.stringify({ token, refreshToken }));
    const raw = (await rawRecord(database, "kv", "tessera:p:e:session-tag")) as string;
    expect(raw).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    for (const fragment of ["eyJ", "session-tag", "b3BhcXVl", "token"]) expect(raw).not.toContain(fragment);
    expect(JSON.parse((await storage.get("tessera:p:e:session-tag"))!)).toEqual({ token, refreshToken });
  });
});
