import { describe, expect, it } from "vitest";
import { denoKVStorage } from "../../src/storage/index.js";
import { fakeDenoKv } from "./fakes.js";
import { describeStorage } from "./storage-suite.js";

describeStorage("denoKVStorage (in-memory Deno.Kv)", () => denoKVStorage(fakeDenoKv().kv));

describe("denoKVStorage", () => {
  it("stores under [...prefix, key] and maps the ttl to expireIn milliseconds", async () => {
    const fake = fakeDenoKv();
    const storage = denoKVStorage(fake.kv, { prefix: ["app", "sessions"] });
    await storage.set("tessera:p:e:t", "v", { ttlSeconds: 90 });
    expect(fake.sets[0]).toEqual({ key: ["app", "sessions", "tessera:p:e:t"], options: { expireIn: 90_000 } });
  });

  it("reads a non-string value (written by someone else) as absent", async () => {
    const fake = fakeDenoKv();
    await fake.kv.set(["tessera", "k"], { not: "a string" });
    expect(await denoKVStorage(fake.kv).get("k")).toBeNull();
  });
});
