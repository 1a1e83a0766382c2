import { describe, expect, it } from "vitest";
import { cloudflareKVStorage } from "../../src/storage/index.js";
import { fakeKV } from "./fakes.js";
import { describeStorage } from "./storage-suite.js";

describeStorage("cloudflareKVStorage (in-memory binding)", () => cloudflareKVStorage(fakeKV().binding));

describe("cloudflareKVStorage", () => {
  it("raises a ttl under KV's 60 s minimum instead of failing the write", async () => {
    const kv = fakeKV();
    const storage = cloudflareKVStorage(kv.binding);
    await storage.set("k", "v", { ttlSeconds: 5 });
    await storage.set("k2", "v", { ttlSeconds: 3600.2 });
    expect(kv.puts.map((p) => p.options?.expirationTtl)).toEqual([60, 3601]);
  });

  it("writes without expiry when no ttl is given", async () => {
    const kv = fakeKV();
    await cloudflareKVStorage(kv.binding).set("k", "v");
    expect(kv.puts[0]!.options).toBeUndefined();
  });

  it("namespaces keys with the prefix", async () => {
    const kv = fakeKV();
    const storage = cloudflareKVStorage(kv.binding, { prefix: "app1/" });
    await storage.set("tessera:p:e:t", "v");
    expect([...kv.data.keys()]).toEqual(["app1/tessera:p:e:t"]);
    expect(await storage.get("tessera:p:e:t")).toBe("v");
  });
});
