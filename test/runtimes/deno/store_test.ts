/// <reference lib="deno.ns" />
/// <reference lib="deno.unstable" />
import { denoKvStore } from "../../../src/server/index.ts";
import { runStoreConformance } from "../../server/store-suite.ts";
import { expect } from "vitest";

// The same conformance suite as every other store, on a real Deno KV (SQLite-backed, in memory),
// run by deno test through the vitest shim (deno.json maps "vitest" to it).
const opened: Deno.Kv[] = [];
runStoreConformance(
  "denoKvStore (Deno.openKv)",
  async () => {
    const kv = await Deno.openKv(":memory:");
    opened.push(kv);
    return denoKvStore(kv);
  },
  async () => opened.pop()?.close(),
);

// denoKvStore specifics, beside the suite.
const T0 = Date.UTC(2026, 0, 1);
const session = (id: string, hash: string) => ({
  id, product: "p", env: "e", tag: "t", identifier: "u", data: "jwe", createdAt: T0, refreshExpiresAt: T0 + 1000,
  revokedAt: null, refreshHash: hash, generation: 0, rotatedAt: null, sealedPair: null,
});

Deno.test("denoKvStore: purge removes every hash of a long-lived session (601 hashes: more than one atomic operation takes)", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = denoKvStore(kv);
    await store.createSession(session("long", "h-0"));
    for (let g = 1; g <= 600; g++) {
      const ok = await store.rotateRefresh({ sessionId: "long", expectedHash: `h-${g - 1}`, nextHash: `h-${g}`, nextGeneration: g, rotatedAt: T0 + g, refreshExpiresAt: T0 + 1000, sealedPair: "p" });
      if (!ok) throw new Error(`rotation ${g} lost`);
    }
    expect(await store.findRefreshHash("h-555")).toEqual({ sessionId: "long", generation: 555 });
    expect(await store.purge({ now: T0 + 2000, sessionsBefore: T0 + 2000, activityBefore: T0 })).toEqual({ sessions: 1, activity: 0 });
    const left: unknown[] = [];
    for await (const entry of kv.list({ prefix: ["tessera"] })) left.push(entry.key);
    // Users outlive their sessions (the users list and its two indexes).
    expect(left).toEqual([["tessera", "user", "p", "e", "t", "u"], ["tessera", "user-id", "p", "e", "u", "t"], ["tessera", "user-seen", "p", "e", T0, "t", "u"]]);
  } finally {
    kv.close();
  }
});

Deno.test("denoKvStore: refuses data that would outgrow a 64 KiB value at its first rotation; leaves the handle open", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = denoKvStore(kv);
    const error = await store.createSession({ ...session("big", "h"), data: "x".repeat(20_481) }).catch((e) => e);
    expect(error).toMatchObject({ name: "SessionError", code: "PAYLOAD_TOO_LARGE" });
    expect(await store.getSession("big")).toBeNull();
    await store.createSession({ ...session("fits", "h2"), data: "x".repeat(20_480) });
    expect(await store.rotateRefresh({ sessionId: "fits", expectedHash: "h2", nextHash: "h3", nextGeneration: 1, rotatedAt: T0, refreshExpiresAt: T0 + 1, sealedPair: "s".repeat(2 * 20_480) })).toBe(true);
    expect((await kv.get(["tessera", "session", "fits"])).versionstamp).not.toBeNull();
  } finally {
    kv.close();
  }
});

Deno.test("denoKvStore: users written before the users indexes are indexed once, by the first users list", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    // As an earlier version left them: user records only.
    await kv.set(["tessera", "user", "p", "e", "t", "old"], { identifier: "old", firstSeen: T0, lastSeen: T0 + 5, totalSessions: 2 });
    await kv.set(["tessera", "user", "p", "e", "t2", "old"], { identifier: "old", firstSeen: T0 + 1, lastSeen: T0 + 9, totalSessions: 1 });
    const store = denoKvStore(kv);
    await store.createSession(session("new", "h-new"));
    const query = { scopes: [{ product: "p", env: "e" }], now: T0, offset: 0, limit: 10, scanLimit: 100 };
    expect((await store.listUsers(query)).users).toEqual([
      { identifier: "old", firstSeen: T0, lastSeen: T0 + 9, totalSessions: 3, activeSessions: 0 },
      { identifier: "u", firstSeen: T0, lastSeen: T0, totalSessions: 1, activeSessions: 1 },
    ]);
    expect((await store.listUsers({ ...query, search: "ol" })).users.map((u) => u.identifier)).toEqual(["old"]);
    expect((await kv.get(["tessera", "meta", "users-indexed"])).value).toBe(true);
    // Later writes move the index entry: one entry per user and tag.
    await store.recordActivity({ product: "p", env: "e", tag: "t", identifier: "old", operation: "verify", status: "success", startAt: T0 + 20, endAt: T0 + 20, message: "m", sessionId: null });
    const seen: unknown[] = [];
    for await (const entry of kv.list({ prefix: ["tessera", "user-seen", "p", "e"] })) seen.push(entry.key.slice(4));
    expect(seen).toEqual([[T0, "t", "u"], [T0 + 9, "t2", "old"], [T0 + 20, "t", "old"]]);
  } finally {
    kv.close();
  }
});
