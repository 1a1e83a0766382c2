import { describe, expect, it } from "vitest";
import { memoryStorage } from "../../src/storage/index.js";
import { describeStorage } from "./storage-suite.js";

describeStorage("memoryStorage", () => memoryStorage());

describe("memoryStorage", () => {
  it("drops a record once its ttl has elapsed", async () => {
    let time = 1_000_000;
    const storage = memoryStorage({ now: () => time });
    await storage.set("k", "v", { ttlSeconds: 10 });
    time += 9_999;
    expect(await storage.get("k")).toBe("v");
    time += 2;
    expect(await storage.get("k")).toBeNull();
  });

  it("keeps two instances apart", async () => {
    const a = memoryStorage();
    const b = memoryStorage();
    await a.set("k", "a");
    expect(await b.get("k")).toBeNull();
  });
});
