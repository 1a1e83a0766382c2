import { createStore, get as idbGet } from "idb-keyval";
import { describe, expect, it } from "vitest";
import { browserStorageKey, encryptedStorage, indexedDBStorage } from "../../src/storage/index.js";
import { describeStorage } from "../storage/storage-suite.js";

let n = 0;
const fresh = () => indexedDBStorage({ database: `tessera-test-${++n}`, store: "kv" });

describeStorage("indexedDBStorage (fake-indexeddb)", fresh);
describeStorage("encryptedStorage(indexedDBStorage) with the browser key", () => encryptedStorage(fresh()));

describe("indexedDBStorage", () => {
  it("uses its own database and store, opened on first use", async () => {
    const storage = indexedDBStorage({ database: "own-db", store: "own-store" });
    expect((await indexedDB.databases()).map((d) => d.name)).not.toContain("own-db");
    await storage.set("k", "v");
    expect((await indexedDB.databases()).map((d) => d.name)).toContain("own-db");
    expect(await idbGet("k", createStore("own-db", "own-store"))).toBe("v");
  });

  it("a second instance on the same database sees the data (a reload)", async () => {
    await indexedDBStorage({ database: "reload-db" }).set("tessera:p:e:t", "kept");
    expect(await indexedDBStorage({ database: "reload-db" }).get("tessera:p:e:t")).toBe("kept");
  });
});

describe("the browser storage key", () => {
  it("is a non-extractable AES-GCM-256 CryptoKey kept in IndexedDB, the same one on every call", async () => {
    const key = await browserStorageKey("keys-a");
    expect(key.extractable).toBe(false);
    expect(key.algorithm).toMatchObject({ name: "AES-GCM", length: 256 });
    await expect(crypto.subtle.exportKey("raw", key)).rejects.toThrow();
    const stored = await idbGet<CryptoKey>("aes-gcm-256/v1", createStore("keys-a", "keys"));
    expect(stored).toBeDefined();
    expect(stored!.extractable).toBe(false);
    expect(await browserStorageKey("keys-a")).toBe(key);
  });

  it("records written before a 'reload' decrypt with the key read back from IndexedDB", async () => {
    const inner = indexedDBStorage({ database: "reload-enc" });
    await encryptedStorage(inner).set("tessera:p:e:t", '{"token":"session-tag:eyJsecret"}');
    const raw = await inner.get("tessera:p:e:t");
    expect(raw).toMatch(/^v1\./);
    expect(raw).not.toContain("eyJsecret");
    // A new wrapper over a new adapter: only IndexedDB connects them.
    expect(await encryptedStorage(indexedDBStorage({ database: "reload-enc" })).get("tessera:p:e:t")).toBe(
      '{"token":"session-tag:eyJsecret"}',
    );
  });

  it("an existing key is read without writing, so a full disk (QuotaExceededError) hides no session", async () => {
    const inner = indexedDBStorage({ database: "quota-db" });
    await encryptedStorage(inner, { key: browserStorageKey("quota-keys") }).set("k", "kept");
    const { browserStorageKey: fresh } = await import("../../src/storage/keys.js?after-reload" as string);
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = () => {
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    };
    try {
      const key = await (fresh as typeof browserStorageKey)("quota-keys");
      expect(await encryptedStorage(inner, { key }).get("k")).toBe("kept");
    } finally {
      IDBObjectStore.prototype.put = put;
    }
  });

  it("two tabs generating the key at the same moment agree on one key", async () => {
    const { browserStorageKey: again } = await import("../../src/storage/keys.ts?second-copy" as string);
    expect(again).not.toBe(browserStorageKey); // a separate module instance: its own cache, like another tab
    const [a, b] = await Promise.all([
      browserStorageKey("race-db"),
      (again as typeof browserStorageKey)("race-db"),
    ]);
    const iv = new Uint8Array(12);
    const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, a, new TextEncoder().encode("x"));
    await expect(crypto.subtle.decrypt({ name: "AES-GCM", iv }, b, ct)).resolves.toBeDefined();
  });
});
