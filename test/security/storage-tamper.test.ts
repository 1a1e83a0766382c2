/**
 * Issue 6 §3 in Node: stored sessions tampered with, truncated, swapped, rolled back, or a
 * storage that throws (quota exceeded), under encryptedStorage over memory and a KV-like
 * adapter, with the real client against the real server. The client must report it (an
 * `error` change with STORAGE_ERROR), recover to "no session", never throw or leave an
 * unhandled rejection, and never damage another record. (Chromium: chromium-storage.test.ts.)
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SessionChange, type SessionStorage, type TesseraClient } from "../../src/index.js";
import { cloudflareKVStorage, encryptedStorage, memoryStorage } from "../../src/storage/index.js";
import { fakeKV } from "../storage/fakes.js";
import { closeClients, harness, harnessClient, PUBLISHABLE_KEY, SCOPE, SEED_DATA, type Harness } from "../server/helpers.js";

const KEY = "tessera:my-product-tag:snd:session-tag";
const GUEST_KEY = "tessera:my-product-tag:snd:guest";

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => void process.on("unhandledRejection", onUnhandled));
afterAll(() => void process.off("unhandledRejection", onUnhandled));

const aesKey = () => crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]) as Promise<CryptoKey>;

type InnerKind = "memory" | "KV";
function inner(kind: InnerKind): SessionStorage {
  return kind === "memory" ? memoryStorage() : cloudflareKVStorage(fakeKV().binding);
}

interface Rig {
  h: Harness;
  raw: SessionStorage;
  tessera: TesseraClient;
  changes: SessionChange[];
  errors: SessionChange[];
  requests: string[];
  /** A second client over the same storage, as after a reload. */
  reload(): TesseraClient;
}

afterEach(closeClients);

async function rig(kind: InnerKind, wrap: (s: SessionStorage) => SessionStorage = (s) => s): Promise<Rig> {
  const h = await harness();
  const raw = inner(kind);
  const key = await aesKey();
  const changes: SessionChange[] = [];
  const requests: string[] = [];
  const make = () => {
    const client = harnessClient(h, {
      storage: encryptedStorage(wrap(raw), { key }),
      fetch: (request) => {
        requests.push(new URL(request.url).pathname);
        return h.server.fetch(request);
      },
    });
    client.sessions.onChange((c) => changes.push(c));
    return client;
  };
  const tessera = make();
  return {
    h, raw, tessera, changes, requests, reload: make,
    get errors() {
      return changes.filter((c) => c.type === "error");
    },
  };
}

const TAMPER: Array<[string, (record: string, other: string) => string]> = [
  ["one ciphertext character flipped", (r) => r.slice(0, 40) + (r[40] === "A" ? "B" : "A") + r.slice(41)],
  // The second-to-last character: the last one may hold unused low bits (RFC 4648 §3.5), so
  // flipping it between "A" and "B" can leave the bytes, and the record, unchanged (a flaky case).
  ["a GCM tag character flipped", (r) => r.slice(0, -2) + (r.at(-2) === "A" ? "B" : "A") + r.slice(-1)],
  ["the IV replaced", (r) => { const [v, , ct] = r.split("."); return `${v}.AAAAAAAAAAAAAAAA.${ct}`; }],
  ["truncated to half", (r) => r.slice(0, Math.floor(r.length / 2))],
  ["truncated by one character", (r) => r.slice(0, -1)],
  ["cut before the GCM tag", (r) => r.slice(0, -22)],
  ["only the version left", () => "v1."],
  ["another record swapped in (the guest session's ciphertext)", (_r, other) => other],
  ["replaced by plaintext JSON of a session", () => JSON.stringify({ v: 1, token: "session-tag:x", refreshToken: "session-tag:y" })],
  ["an empty string", () => ""],
  ["a 1 MB string", () => "v1." + "A".repeat(1_000_000)],
];

describe.each<InnerKind>(["memory", "KV"])("tampered records under encryptedStorage(%s)", (kind) => {
  for (const [name, tamper] of TAMPER) {
    it(`${name}: error event, no session, the other record intact, a new start works`, async () => {
      const r = await rig(kind);
      const started = await r.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
      const guest = await r.tessera.sessions.start({ ...SCOPE, tag: "guest", data: { guestId: "g1" } });
      const record = (await r.raw.get(KEY))!;
      const guestRecord = (await r.raw.get(GUEST_KEY))!;
      expect(record).toMatch(/^v1\./);
      expect(record).not.toContain(started.refreshToken.split(":")[1]);
      await r.raw.set(KEY, tamper(record, guestRecord));

      const fresh = r.reload(); // as after a reload: nothing cached
      const mine = r.changes.length;
      await expect(fresh.sessions.get({ tag: "session-tag" })).resolves.toBeNull();
      const errors = r.changes.slice(mine).filter((c) => c.type === "error");
      expect(errors.length).toBeGreaterThanOrEqual(1);
      expect((errors[0] as { error: { code: string } }).error.code).toBe("STORAGE_ERROR");
      // Nothing secret in what is reported.
      for (const e of errors) expect(JSON.stringify((e as { error: Error }).error.message)).not.toContain(started.refreshToken.split(":")[1]);
      // The other record is untouched and still works.
      expect(await r.raw.get(GUEST_KEY)).toBe(guestRecord);
      const guestSession = await fresh.sessions.get({ tag: "guest" });
      expect(guestSession?.refreshToken).toBe(guest.refreshToken);
      // No request was made with whatever the tampered record held.
      expect(r.requests.filter((p) => p === "/v1/sessions/refresh")).toEqual([]);
      // Recovery: a new session replaces the unreadable record.
      const again = await fresh.sessions.start({ ...SCOPE, data: SEED_DATA });
      expect((await r.reload().sessions.get({ tag: "session-tag" }))?.sessionId).toBe(again.sessionId);
      expect(unhandled).toEqual([]);
    });
  }

  it("a record from a client keyed with another key reads as absent (the key changed)", async () => {
    const r = await rig(kind);
    await r.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    const otherKey = await aesKey();
    const foreign = harnessClient(r.h, { accessKey: PUBLISHABLE_KEY, storage: encryptedStorage(r.raw, { key: otherKey }) });
    const seen: SessionChange[] = [];
    foreign.sessions.onChange((c) => seen.push(c));
    expect(await foreign.sessions.get({ tag: "session-tag" })).toBeNull();
    expect(seen.some((c) => c.type === "error")).toBe(true);
    expect(unhandled).toEqual([]);
  });
});

describe("a rolled-back record (an older, authentic ciphertext)", () => {
  it("AES-GCM cannot tell, but the server does: the stale refresh token ends the session after the grace window", async () => {
    const r = await rig("memory");
    await r.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    const old = (await r.raw.get(KEY))!;
    r.h.clock.now += 14.5 * 60_000;
    const rotated = await r.tessera.sessions.get({ tag: "session-tag" });
    expect(r.requests.filter((p) => p === "/v1/sessions/refresh")).toHaveLength(1);
    // Inside the grace window a rollback is harmless: the old token gets the current pair.
    await r.raw.set(KEY, old);
    await r.tessera.sessions.refresh({ tag: "session-tag" });
    expect((await r.tessera.sessions.get({ tag: "session-tag" }))?.refreshToken).toBe(rotated!.refreshToken);
    // Past it, the rolled-back token is a reuse (RFC 9700 §4.14.2): the session is revoked and
    // the client ends it with reason reuse_detected: fail closed, never a silent fork.
    await r.raw.set(KEY, old);
    r.h.clock.now += 11_000;
    await expect(r.tessera.sessions.refresh({ tag: "session-tag" })).rejects.toMatchObject({ code: "REFRESH_REUSED" });
    expect(r.changes.some((c) => c.type === "ended" && c.reason === "reuse_detected")).toBe(true);
    expect(await r.tessera.sessions.get({ tag: "session-tag" })).toBeNull();
    const verified = await r.h.post("/v1/sessions/verify", { ...SCOPE, token: rotated!.token });
    expect(verified.body).toEqual({ valid: false, reason: "revoked" });
    expect(unhandled).toEqual([]);
  });
});

/** A storage that fails like a full disk: every write (or read, or delete) throws QuotaExceededError. */
function failing(ops: Array<"get" | "set" | "delete">) {
  const state = { on: false, thrown: 0 };
  const wrap = (s: SessionStorage): SessionStorage => {
    const fail = (op: "get" | "set" | "delete") => {
      if (state.on && ops.includes(op)) {
        state.thrown++;
        throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      }
    };
    return {
      get: async (k) => (fail("get"), s.get(k)),
      set: async (k, v, o) => (fail("set"), s.set(k, v, o)),
      delete: async (k) => (fail("delete"), s.delete(k)),
    };
  };
  return { state, wrap };
}

describe("a storage that throws (quota exceeded)", () => {
  it("start: the tokens are still returned, the failure is an error event, never a throw", async () => {
    const f = failing(["set"]);
    const r = await rig("memory", f.wrap);
    f.state.on = true;
    const started = await r.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    expect(started.token.startsWith("session-tag:")).toBe(true);
    expect(f.state.thrown).toBeGreaterThan(0);
    expect(r.errors.map((e) => (e as { error: { code: string } }).error.code)).toContain("STORAGE_ERROR");
    expect(unhandled).toEqual([]);
  });

  it("reads and deletes that throw: get is null with an error event, end still revokes on the server", async () => {
    const f = failing(["get", "delete"]);
    const r = await rig("memory", f.wrap);
    const started = await r.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    f.state.on = true;
    await expect(r.tessera.sessions.get({ tag: "session-tag" })).resolves.toBeNull();
    expect(r.errors.length).toBeGreaterThan(0);
    f.state.on = false;
    await r.tessera.sessions.end({ tag: "session-tag" });
    const verified = await r.h.post("/v1/sessions/verify", { ...SCOPE, token: started.token });
    expect(verified.body).toEqual({ valid: false, reason: "revoked" });
    expect(unhandled).toEqual([]);
  });

  it("a write failing during a background refresh never throws, and the session is not lost later", async () => {
    const f = failing(["set"]);
    const r = await rig("memory", f.wrap);
    const started = await r.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    r.h.clock.now += 14.5 * 60_000;
    f.state.on = true;
    const refreshed = await r.tessera.sessions.get({ tag: "session-tag" });
    expect(refreshed).not.toBeNull();
    expect(r.errors.length).toBeGreaterThan(0);
    f.state.on = false;
    // The rotated pair could not be written. Whatever the client holds now must still be a
    // live session a minute later (past the 10 s grace window), not a revoked one.
    r.h.clock.now += 60_000;
    const later = await r.tessera.sessions.get({ tag: "session-tag" });
    const token = later?.token ?? started.token;
    const verified = await r.h.post("/v1/sessions/verify", { ...SCOPE, token });
    expect(verified.body.valid).toBe(true);
    expect(r.changes.some((c) => c.type === "ended")).toBe(false);
    expect(unhandled).toEqual([]);
  });
});
