/**
 * Issue 10 §5: encryptedStorage binds the record's full physical key, the adapter's prefix
 * included. The Worker example keeps one record set per visitor under `app/<visitor>/` in one
 * KV namespace with one storage secret; a record copied from Alice's prefix into Mallory's
 * must read as "no session" (with an error event), never as Alice's session.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { SessionChange, SessionStorage } from "../../src/index.js";
import { cloudflareKVStorage, denoKVStorage, encryptedStorage, memoryStorage, secretKey } from "../../src/storage/index.js";
import { fakeDenoKv, fakeKV } from "../storage/fakes.js";
import { closeClients, harness, harnessClient, SCOPE, SEED_DATA } from "../server/helpers.js";

const KEY = "tessera:my-product-tag:snd:session-tag";
const SECRET = "a-worker-secret-binding-of-at-least-32-bytes";

afterEach(closeClients);

/** One backend, one secret, two visitors' prefixes; `copy` moves Alice's raw record into Mallory's place. */
const backends = {
  "Cloudflare KV": () => {
    const { binding, data } = fakeKV();
    return {
      visitor: (name: string) => cloudflareKVStorage(binding, { prefix: `app/${name}/` }),
      copy: () => data.set(`app/mallory/${KEY}`, { ...data.get(`app/alice/${KEY}`)! }),
    };
  },
  "Deno KV": () => {
    const { kv, data } = fakeDenoKv();
    return {
      visitor: (name: string) => denoKVStorage(kv, { prefix: ["app", name] }),
      copy: () => data.set(JSON.stringify(["app", "mallory", KEY]), { ...data.get(JSON.stringify(["app", "alice", KEY]))! }),
    };
  },
};

describe.each(Object.keys(backends) as (keyof typeof backends)[])("§5 a record moved to another visitor's prefix (%s)", (name) => {
  it("reads as no session for Mallory, with a STORAGE_ERROR event; Alice keeps hers", async () => {
    const h = await harness();
    const backend = backends[name]();
    const key = secretKey(SECRET);
    const storageOf = (visitor: string): SessionStorage => encryptedStorage(backend.visitor(visitor), { key });
    const alice = harnessClient(h, { storage: storageOf("alice") });
    const started = await alice.sessions.start({ ...SCOPE, data: SEED_DATA });

    backend.copy();
    const mallory = harnessClient(h, { storage: storageOf("mallory") });
    const changes: SessionChange[] = [];
    mallory.sessions.onChange((c) => changes.push(c));
    expect(await mallory.sessions.get(SCOPE)).toBeNull();
    expect(await mallory.sessions.verify(SCOPE)).toEqual({ valid: false, reason: "not_found" });
    // One STORAGE_ERROR per read (get, then verify), nothing else: no session was adopted.
    expect(changes.length).toBeGreaterThan(0);
    for (const change of changes) expect(change).toMatchObject({ type: "error", error: { code: "STORAGE_ERROR" } });

    // Alice's own record, in its own place, still reads.
    expect((await alice.sessions.get(SCOPE))!.token).toBe(started.token);
  });

  it("the wrapper reports the adapter's physical key and binds it", async () => {
    const backend = backends[name]();
    const storage = encryptedStorage(backend.visitor("alice"), { key: secretKey(SECRET) });
    expect(storage.physicalKey!(KEY)).toBe(name === "Deno KV" ? JSON.stringify(["app", "alice", KEY]) : `app/alice/${KEY}`);
    await storage.set(KEY, "hello");
    backend.copy();
    const errors: unknown[] = [];
    const mallory = encryptedStorage(backend.visitor("mallory"), { key: secretKey(SECRET), onError: (e) => errors.push(e) });
    expect(await mallory.get(KEY)).toBeNull();
    expect(errors).toHaveLength(1);
    expect(await storage.get(KEY)).toBe("hello");
  });
});

describe("§5 what the change keeps", () => {
  it("an adapter without a prefix binds the key as before, so its existing records stay readable", async () => {
    // A record written with the storage key itself as AAD (the format before physicalKey).
    const key = await secretKey(SECRET);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: new TextEncoder().encode(KEY) }, key, new TextEncoder().encode("old")));
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
    for (const inner of [memoryStorage(), cloudflareKVStorage(fakeKV().binding)]) {
      await inner.set(KEY, `v1.${b64(iv)}.${b64(sealed)}`);
      expect(await encryptedStorage(inner, { key }).get(KEY)).toBe("old");
    }
  });
});
