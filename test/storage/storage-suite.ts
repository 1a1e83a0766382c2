import { describe, expect, it } from "vitest";
import type { SessionStorage } from "../../src/storage/types.js";

export interface StorageSuiteOptions {
  /**
   * The longest ASCII value the adapter holds, for stores with a size limit (Deno KV: 64 KiB).
   * Given, the suite round-trips a value of exactly that length and expects one character more
   * to be refused with STORAGE_ERROR, leaving the stored record as it was. Without it, the
   * adapter must hold a 64 KiB value.
   */
  maxValueBytes?: number;
}

/**
 * The one conformance suite every SessionStorage adapter passes (the unstorage pattern):
 * runners call it with a factory for a fresh, empty storage.
 */
export function describeStorage(
  name: string,
  create: () => SessionStorage | Promise<SessionStorage>,
  { maxValueBytes }: StorageSuiteOptions = {},
) {
  describe(`SessionStorage conformance: ${name}`, () => {
    it("returns null for a key never written", async () => {
      const storage = await create();
      expect(await storage.get("tessera:p:e:missing")).toBeNull();
    });

    it("returns exactly the string written, and the latest write wins", async () => {
      const storage = await create();
      await storage.set("tessera:p:e:t", '{"token":"a"}');
      expect(await storage.get("tessera:p:e:t")).toBe('{"token":"a"}');
      await storage.set("tessera:p:e:t", '{"token":"b"}');
      expect(await storage.get("tessera:p:e:t")).toBe('{"token":"b"}');
    });

    it("keeps keys apart, including keys that share a prefix", async () => {
      const storage = await create();
      await storage.set("tessera:p:e:t", "one");
      await storage.set("tessera:p:e:t2", "two");
      await storage.set("tessera:p:e2:t", "three");
      expect(await storage.get("tessera:p:e:t")).toBe("one");
      expect(await storage.get("tessera:p:e:t2")).toBe("two");
      expect(await storage.get("tessera:p:e2:t")).toBe("three");
    });

    it("deletes one key only, and deleting a missing key does not throw", async () => {
      const storage = await create();
      await storage.set("tessera:p:e:a", "A");
      await storage.set("tessera:p:e:b", "B");
      await storage.delete("tessera:p:e:a");
      await storage.delete("tessera:p:e:never");
      expect(await storage.get("tessera:p:e:a")).toBeNull();
      expect(await storage.get("tessera:p:e:b")).toBe("B");
    });

    it("round-trips unicode, an empty string and a large value", async () => {
      const storage = await create();
      const unicode = "héllo 🌍 \u0000 \"quoted\" \n line";
      const large = "x".repeat(maxValueBytes ?? 64 * 1024);
      await storage.set("tessera:p:e:u", unicode);
      await storage.set("tessera:p:e:empty", "");
      await storage.set("tessera:p:e:large", large);
      expect(await storage.get("tessera:p:e:u")).toBe(unicode);
      expect(await storage.get("tessera:p:e:empty")).toBe("");
      expect(await storage.get("tessera:p:e:large")).toBe(large);
    });

    if (maxValueBytes !== undefined) {
      it("refuses a value over its size limit with STORAGE_ERROR and keeps the stored record", async () => {
        const storage = await create();
        await storage.set("tessera:p:e:big", "before");
        const error = await storage.set("tessera:p:e:big", "x".repeat(maxValueBytes + 1)).then(() => undefined, (e: unknown) => e);
        expect(error).toMatchObject({ name: "SessionError", code: "STORAGE_ERROR" });
        expect(String((error as Error).message)).toMatch(/\d+ bytes is over/);
        expect(await storage.get("tessera:p:e:big")).toBe("before");
      });
    }

    it("accepts the ttl hint and still returns the value before it elapses", async () => {
      const storage = await create();
      await storage.set("tessera:p:e:ttl", "v", { ttlSeconds: 3600 });
      expect(await storage.get("tessera:p:e:ttl")).toBe("v");
    });

    it("handles concurrent writes to different keys without losing any", async () => {
      const storage = await create();
      await Promise.all(Array.from({ length: 20 }, (_, i) => storage.set(`tessera:p:e:c${i}`, `v${i}`)));
      const values = await Promise.all(Array.from({ length: 20 }, (_, i) => storage.get(`tessera:p:e:c${i}`)));
      expect(values).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`));
    });
  });
}
