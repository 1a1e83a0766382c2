import { describe, expect, it } from "vitest";
import { SessionError } from "../../src/shared/errors.js";
import { cloudflareKVStorage, encryptedStorage, memoryStorage, secretKey } from "../../src/storage/index.js";
import { fakeKV } from "./fakes.js";
import { describeStorage } from "./storage-suite.js";

const SECRET = "0123456789abcdef0123456789abcdef-edge-secret";

describeStorage("encryptedStorage(memoryStorage, secret)", () => encryptedStorage(memoryStorage(), { key: secretKey(SECRET) }));
describeStorage("encryptedStorage(cloudflareKVStorage, secret)", () =>
  encryptedStorage(cloudflareKVStorage(fakeKV().binding), { key: secretKey(SECRET) }),
);

describeStorage("encryptedStorage(memoryStorage, { key: secretKey(secret) })", () => encryptedStorage(memoryStorage(), { key: secretKey(SECRET) }));

function setup(options: { secret?: string } = {}) {
  const inner = memoryStorage();
  const errors: SessionError[] = [];
  const storage = encryptedStorage(inner, { key: secretKey(options.secret ?? SECRET), onError: (e) => errors.push(e) });
  return { inner, storage, errors };
}

describe("encryptedStorage", () => {
  it("stores v1 ciphertext, not the plaintext, with a fresh IV per write", async () => {
    const { inner, storage } = setup();
    const value = JSON.stringify({ token: "session-tag:eyJhbGciOi.secret-payload.sig" });
    await storage.set("tessera:p:e:t", value);
    const first = (await inner.get("tessera:p:e:t"))!;
    await storage.set("tessera:p:e:t", value);
    const second = (await inner.get("tessera:p:e:t"))!;
    expect(first).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(first).not.toContain("eyJhbGciOi");
    expect(first.split(".")[1]).not.toBe(second.split(".")[1]);
    expect(first).not.toBe(second);
    expect(await storage.get("tessera:p:e:t")).toBe(value);
  });

  it("binds the storage key: a record copied under another key reads as absent and reports", async () => {
    const { inner, storage, errors } = setup();
    await storage.set("tessera:p:e:alice", "alice's session");
    await inner.set("tessera:p:e:mallory", (await inner.get("tessera:p:e:alice"))!);
    expect(await storage.get("tessera:p:e:mallory")).toBeNull();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SessionError);
    expect(errors[0]!.code).toBe("STORAGE_ERROR");
    expect(await storage.get("tessera:p:e:alice")).toBe("alice's session");
  });

  it.each([
    ["a flipped ciphertext byte", (r: string) => r.slice(0, -2) + (r.at(-2) === "A" ? "B" : "A") + r.at(-1)],
    ["a truncated record", (r: string) => r.slice(0, 30)],
    ["a cut tag", (r: string) => r.slice(0, -4)],
    ["an unknown version", (r: string) => "v2" + r.slice(2)],
    ["plaintext JSON", () => '{"token":"x"}'],
    ["not base64url", (r: string) => r.replace(/\.[^.]+$/, ".$$$$")],
    ["an empty string", () => ""],
  ])("reads %s as absent, reports it, never throws, and leaves other records alone", async (_name, tamper) => {
    const { inner, storage, errors } = setup();
    await storage.set("tessera:p:e:victim", "victim");
    await storage.set("tessera:p:e:other", "other");
    await inner.set("tessera:p:e:victim", tamper((await inner.get("tessera:p:e:victim"))!));
    await expect(storage.get("tessera:p:e:victim")).resolves.toBeNull();
    expect(errors.map((e) => e.code)).toEqual(["STORAGE_ERROR"]);
    expect(await storage.get("tessera:p:e:other")).toBe("other");
    expect(await inner.get("tessera:p:e:other")).not.toBeNull();
  });

  it("cannot read records written under another secret", async () => {
    const inner = memoryStorage();
    await encryptedStorage(inner, { key: secretKey(SECRET) }).set("k", "v");
    const errors: SessionError[] = [];
    const other = encryptedStorage(inner, { key: secretKey(SECRET + "-rotated"), onError: (e) => errors.push(e) });
    expect(await other.get("k")).toBeNull();
    expect(errors).toHaveLength(1);
  });

  it("refuses a secret shorter than 32 bytes at once, without echoing it", () => {
    const short = "only-31-bytes-long-secret-abcde";
    expect(new TextEncoder().encode(short).length).toBe(31);
    let caught: unknown;
    try {
      secretKey(short);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SessionError);
    expect((caught as SessionError).code).toBe("INVALID_ARGUMENT");
    expect((caught as SessionError).field).toBe("secret");
    expect((caught as SessionError).message).not.toContain(short);
    expect(() => secretKey(new Uint8Array(31))).toThrow(SessionError);
    expect(() => secretKey(new Uint8Array(32))).not.toThrow();
  });

  it("derives a non-extractable AES-GCM-256 key; the same secret reads what it wrote", async () => {
    const key = await secretKey(SECRET);
    expect(key.extractable).toBe(false);
    expect(key.algorithm).toMatchObject({ name: "AES-GCM", length: 256 });
    const inner = memoryStorage();
    await encryptedStorage(inner, { key: secretKey(SECRET) }).set("k", "same key");
    expect(await encryptedStorage(inner, { key }).get("k")).toBe("same key");
    expect(await encryptedStorage(inner, { key: async () => key }).get("k")).toBe("same key");
    expect(await encryptedStorage(inner, { key: secretKey(new TextEncoder().encode(SECRET)) }).get("k")).toBe("same key");
  });

  it("takes secretKey(secret) at the edge: one key for string and bytes, another secret fails, a short one refused at creation", async () => {
    const inner = memoryStorage();
    await encryptedStorage(inner, { key: secretKey(SECRET) }).set("k", "edge value");
    expect(await encryptedStorage(inner, { key: secretKey(new TextEncoder().encode(SECRET)) }).get("k")).toBe("edge value");
    const errors: SessionError[] = [];
    expect(await encryptedStorage(inner, { key: secretKey(SECRET + "-other"), onError: (e) => errors.push(e) }).get("k")).toBeNull();
    expect(errors.map((e) => e.code)).toEqual(["STORAGE_ERROR"]);
    const short = "too-short-secret";
    let caught: unknown;
    try {
      encryptedStorage(inner, { key: secretKey(short) });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: "INVALID_ARGUMENT", field: "secret" });
    expect((caught as Error).message).not.toContain(short);
  });

  it("refuses unknown option names at creation, `secret` included (the derivation stays out of browser bundles)", () => {
    const inner = memoryStorage();
    const refusal = (options: object) => {
      try {
        encryptedStorage(inner, options as never);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(refusal({ secrets: SECRET })).toMatchObject({ name: "SessionError", code: "INVALID_ARGUMENT", field: "secrets", status: 400 });
    expect(refusal({ Key: secretKey(SECRET) })).toMatchObject({ code: "INVALID_ARGUMENT", field: "Key" });
    expect(refusal({ secret: SECRET })).toMatchObject({ code: "INVALID_ARGUMENT", field: "secret" });
    expect(refusal({ key: secretKey(SECRET), onError: () => {} })).toBeUndefined();
    expect(refusal({})).toBeUndefined();
  });

  it("reports through onError listeners too, and stops after unsubscribe", async () => {
    const { inner, storage } = setup();
    const seen: string[] = [];
    const stop = storage.onError!((e) => seen.push(e.code));
    await inner.set("k", "garbage");
    await storage.get("k");
    stop();
    await storage.get("k");
    expect(seen).toEqual(["STORAGE_ERROR"]);
  });

  it("reads as absent and reports when the inner storage fails", async () => {
    const errors: SessionError[] = [];
    const broken = { get: async () => Promise.reject(new Error("disk gone")), set: async () => {}, delete: async () => {} };
    const storage = encryptedStorage(broken, { key: secretKey(SECRET), onError: (e) => errors.push(e) });
    expect(await storage.get("k")).toBeNull();
    expect(errors[0]!.code).toBe("STORAGE_ERROR");
  });
});
