import { describe, expect, it } from "vitest";
import { SessionError } from "../../src/index.js";
import { denoKVStorage } from "../../src/storage/index.js";
import { fakeDenoKv } from "./fakes.js";
import { describeStorage } from "./storage-suite.js";

// The adapter enforces Deno KV's 64 KiB limit itself, so the fake needs none: 65,530 ASCII
// characters are the largest value real Deno KV takes (test/runtimes/deno/storage_test.ts).
describeStorage("denoKVStorage (in-memory Deno.Kv)", () => denoKVStorage(fakeDenoKv().kv), { maxValueBytes: 65_530 });

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

  it("counts two bytes per UTF-16 unit once a value is not Latin-1, as Deno KV does, and names the size", async () => {
    const fake = fakeDenoKv();
    const storage = denoKVStorage(fake.kv);
    await storage.set("k", "é".repeat(65_530));
    await storage.set("k", "€".repeat(32_765));
    const error = await storage.set("k", "€".repeat(32_766)).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(SessionError);
    expect(error).toMatchObject({ code: "STORAGE_ERROR", message: "value of 65538 bytes is over Deno KV's 64 KiB limit" });
    expect(fake.sets).toHaveLength(2);
  });
});
