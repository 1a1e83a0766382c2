/// <reference lib="deno.ns" />
/// <reference lib="deno.unstable" />
import { denoKVStorage, encryptedStorage, secretKey } from "tessera-sessions/storage";
import { expect } from "vitest";
import { describeStorage } from "../../storage/storage-suite.ts";

// The client storage conformance suite on a real Deno KV, plain and encrypted.
const kv = await Deno.openKv(":memory:");
globalThis.addEventListener("unload", () => kv.close());
let n = 0;
const SECRET = "a test secret of at least thirty-two bytes!";

// Deno KV refuses values over 64 KiB as V8 serialises them: 65,530 ASCII characters fit, and
// the suite checks that real Deno KV takes exactly that and that one more is a STORAGE_ERROR.
describeStorage("denoKVStorage (Deno.openKv)", () => denoKVStorage(kv, { prefix: ["plain", String(++n)] }), { maxValueBytes: 65_530 });
// Encrypted, a value of L characters is stored as "v1." + 16 (IV) + "." + base64url(L + 16-byte
// tag): 20 + ceil(4 (L + 16) / 3) <= 65,530 gives L <= 49,116.
describeStorage("encryptedStorage(denoKVStorage, secretKey(secret)) (Deno.openKv)", () =>
  encryptedStorage(denoKVStorage(kv, { prefix: ["keyed", String(++n)] }), { key: secretKey(SECRET) }),
  { maxValueBytes: 49_116 },
);

Deno.test("encryptedStorage over Deno KV keeps only ciphertext, bound to its key", async () => {
  const prefix = ["at-rest", String(++n)];
  const storage = encryptedStorage(denoKVStorage(kv, { prefix }), { key: secretKey(SECRET) });
  const record = JSON.stringify({ token: "session-tag:eyJhbGciOiJFZERTQSJ9.x.y", refreshToken: "session-tag:opaque-secret" });
  await storage.set("tessera:p:e:t", record, { ttlSeconds: 900 });
  const raw = (await kv.get<string>([...prefix, "tessera:p:e:t"])).value;
  expect(raw).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
  for (const part of ["eyJhbGciOiJFZERTQSJ9", "opaque-secret", "session-tag"]) expect(raw).not.toContain(part);
  expect(await storage.get("tessera:p:e:t")).toBe(record);
  // The same ciphertext under another key fails authentication (the key is the AAD) and reads as absent.
  await kv.set([...prefix, "tessera:p:e:other"], raw);
  const errors: string[] = [];
  storage.onError?.((e) => errors.push(e.code));
  expect(await storage.get("tessera:p:e:other")).toBeNull();
  expect(errors).toEqual(["STORAGE_ERROR"]);
  // Another secret cannot read it either.
  const stranger = encryptedStorage(denoKVStorage(kv, { prefix }), { key: secretKey(SECRET.replace("a test", "b test")) });
  expect(await stranger.get("tessera:p:e:t")).toBeNull();
});
