import { describe, expect, it } from "vitest";
import { bucketize } from "../../src/server/stats/aggregate.js";
import type { SessionStore, StoredSession } from "../../src/server/stores/types.js";

/**
 * The conformance suite every SessionStore passes (the unstorage pattern, STYLE.md §6).
 * Call it from a thin runner per store: `runStoreConformance("sqlite", () => sqliteStore(...))`.
 * A factory returns a fresh, empty store each time; `dispose` closes it.
 */
export function runStoreConformance(
  name: string,
  factory: () => SessionStore | Promise<SessionStore>,
  dispose: (store: SessionStore) => Promise<void> = async (s) => s.close?.(),
): void {
  const T0 = Date.UTC(2026, 0, 1);
  const scope = { product: "p", env: "e", tag: "t" };
  let counter = 0;
  const session = (over: Partial<StoredSession> = {}): StoredSession => ({
    id: `s-${++counter}-${Math.random().toString(36).slice(2)}`,
    ...scope,
    identifier: "user-1",
    data: "jwe-ciphertext",
    createdAt: T0,
    refreshExpiresAt: T0 + 3_600_000,
    revokedAt: null,
    refreshHash: `hash-${counter}-${Math.random()}`,
    generation: 0,
    rotatedAt: null,
    sealedPair: null,
    ...over,
  });
  const PE = [{ product: "p", env: "e" }];
  /** A users query of product p, env e, every tag: first page of 10. */
  const USERS = { scopes: PE, offset: 0, limit: 10, scanLimit: 1000 };
  const withStore = (fn: (store: SessionStore) => Promise<void>) => async () => {
    const store = await factory();
    try {
      await fn(store);
    } finally {
      await dispose(store);
    }
  };

  describe(`SessionStore conformance: ${name}`, () => {
    it("creates, reads and finds sessions by refresh hash", withStore(async (store) => {
      const s = session({ identifier: "ü-ñ 1" });
      await store.createSession(s);
      expect(await store.getSession(s.id)).toEqual(s);
      expect(await store.getSession("missing")).toBeNull();
      expect(await store.findRefreshHash(s.refreshHash)).toEqual({ sessionId: s.id, generation: 0 });
      expect(await store.findRefreshHash("nope")).toBeNull();
    }));

    it("rotates by compare-and-set and keeps every generation's hash", withStore(async (store) => {
      const s = session();
      await store.createSession(s);
      const rotation = { sessionId: s.id, expectedHash: s.refreshHash, nextHash: "h1", nextGeneration: 1, rotatedAt: T0 + 5, refreshExpiresAt: T0 + 7_200_000, sealedPair: "sealed-1" };
      expect(await store.rotateRefresh(rotation)).toBe(true);
      // The same expected hash again: someone else already moved it.
      expect(await store.rotateRefresh({ ...rotation, nextHash: "h1-bis" })).toBe(false);
      expect(await store.findRefreshHash("h1-bis")).toBeNull();
      expect(await store.getSession(s.id)).toMatchObject({ refreshHash: "h1", generation: 1, rotatedAt: T0 + 5, refreshExpiresAt: T0 + 7_200_000, sealedPair: "sealed-1" });
      expect(await store.findRefreshHash(s.refreshHash)).toEqual({ sessionId: s.id, generation: 0 });
      expect(await store.findRefreshHash("h1")).toEqual({ sessionId: s.id, generation: 1 });
      // A wrong generation does not apply either.
      expect(await store.rotateRefresh({ ...rotation, expectedHash: "h1", nextHash: "h2", nextGeneration: 5 })).toBe(false);
    }));

    it("lets exactly one of 50 concurrent rotations win", withStore(async (store) => {
      const s = session();
      await store.createSession(s);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.rotateRefresh({ sessionId: s.id, expectedHash: s.refreshHash, nextHash: `c-${i}`, nextGeneration: 1, rotatedAt: T0, refreshExpiresAt: T0 + 1, sealedPair: `p-${i}` }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(await store.getSession(s.id)).toMatchObject({ refreshHash: `c-${winner}`, generation: 1, sealedPair: `p-${winner}` });
      const registered = await Promise.all(results.map((_, i) => store.findRefreshHash(`c-${i}`)));
      expect(registered.filter(Boolean)).toHaveLength(1);
    }));

    it("does not rotate a revoked session", withStore(async (store) => {
      const s = session();
      await store.createSession(s);
      expect(await store.revokeSessions({ ...scope, sessionId: s.id }, T0 + 1)).toBe(1);
      expect(await store.rotateRefresh({ sessionId: s.id, expectedHash: s.refreshHash, nextHash: "x", nextGeneration: 1, rotatedAt: T0, refreshExpiresAt: T0, sealedPair: "" })).toBe(false);
    }));

    it("revokes by session, identifier, with an exclusion, only active ones, only in scope", withStore(async (store) => {
      const a = session(), b = session(), c = session(), d = session({ identifier: "user-2" });
      const expired = session({ refreshExpiresAt: T0 + 10 });
      const elsewhere = session({ env: "other" });
      for (const s of [a, b, c, d, expired, elsewhere]) await store.createSession(s);
      const at = T0 + 100;
      expect(await store.revokeSessions({ ...scope, sessionId: a.id }, at)).toBe(1);
      expect(await store.revokeSessions({ ...scope, sessionId: a.id }, at)).toBe(0);
      expect(await store.revokeSessions({ ...scope, identifier: "user-1", excludeSessionId: b.id }, at)).toBe(1);
      expect((await store.getSession(c.id))?.revokedAt).toBe(at);
      expect((await store.getSession(b.id))?.revokedAt).toBeNull();
      expect((await store.getSession(expired.id))?.revokedAt).toBeNull();
      expect((await store.getSession(elsewhere.id))?.revokedAt).toBeNull();
      expect(await store.revokeSessions({ ...scope, identifier: "user-2" }, at)).toBe(1);
    }));

    it("lists sessions newest first with paging and the active filter", withStore(async (store) => {
      const made: StoredSession[] = [];
      for (let i = 0; i < 5; i++) made.push(session({ createdAt: T0 + i, identifier: i % 2 ? "odd" : "even" }));
      for (const s of made) await store.createSession(s);
      await store.revokeSessions({ ...scope, sessionId: made[4]!.id }, T0 + 10);
      const now = T0 + 20;
      const page = await store.listSessions({ ...scope, activeOnly: true, now, offset: 1, limit: 2 });
      expect(page.total).toBe(4);
      expect(page.sessions.map((s) => s.id)).toEqual([made[2]!.id, made[1]!.id]);
      const all = await store.listSessions({ ...scope, activeOnly: false, now, offset: 0, limit: 10, identifier: "even" });
      expect(all.sessions.map((s) => s.id)).toEqual([made[4]!.id, made[2]!.id, made[0]!.id]);
      expect((await store.listSessions({ ...scope, activeOnly: true, now: T0 + 3_600_001, offset: 0, limit: 10 })).total).toBe(0);
    }));

    it("keeps users: first and last seen, total and active counts", withStore(async (store) => {
      const a = session({ createdAt: T0 }), b = session({ createdAt: T0 + 50 }), c = session({ identifier: "user-2", createdAt: T0 + 10 });
      for (const s of [a, b, c]) await store.createSession(s);
      await store.revokeSessions({ ...scope, sessionId: a.id }, T0 + 60);
      await store.recordActivity({ ...scope, operation: "revoke", status: "success", startAt: T0 + 60, endAt: T0 + 61, message: "m", sessionId: a.id, identifier: "user-1" });
      const { total, users } = await store.listUsers({ ...USERS, now: T0 + 100 });
      expect(total).toBe(2);
      expect(users).toEqual([
        { identifier: "user-1", firstSeen: T0, lastSeen: T0 + 61, totalSessions: 2, activeSessions: 1 },
        { identifier: "user-2", firstSeen: T0 + 10, lastSeen: T0 + 10, totalSessions: 1, activeSessions: 1 },
      ]);
    }));

    it("records activity and lists it oldest first with filters", withStore(async (store) => {
      const base = { ...scope, status: "success" as const, message: "m", sessionId: "s", identifier: "user-1" };
      await store.recordActivity({ ...base, operation: "track", startAt: T0 + 2, endAt: T0 + 2, action: "buy", data: '{"n":1}' });
      await store.recordActivity({ ...base, operation: "create", startAt: T0, endAt: T0 + 1 });
      await store.recordActivity({ ...base, operation: "verify", tag: "t2", startAt: T0 + 1, endAt: T0 + 1, sessionId: null });
      await store.recordActivity({ ...base, operation: "verify", identifier: "user-2", startAt: T0, endAt: T0 });
      const all = await store.listActivity({ identifier: "user-1", scopes: PE, offset: 0, limit: 10 });
      expect(all.total).toBe(3);
      expect(all.events.map((e) => e.operation)).toEqual(["create", "verify", "track"]);
      expect(all.events[2]).toEqual({ ...base, operation: "track", startAt: T0 + 2, endAt: T0 + 2, action: "buy", data: '{"n":1}' });
      expect(all.events[1]!.sessionId).toBeNull();
      const tagged = await store.listActivity({ identifier: "user-1", scopes: PE, tag: "t", from: T0 + 1, offset: 0, limit: 10 });
      expect(tagged.events.map((e) => e.operation)).toEqual(["track"]);
      const paged = await store.listActivity({ identifier: "user-1", scopes: PE, to: T0 + 1, offset: 1, limit: 1 });
      expect(paged).toMatchObject({ total: 2, events: [{ operation: "verify" }] });
    }));

    it("filters activity by operation and status, and users by search and activity", withStore(async (store) => {
      const base = { ...scope, message: "m", sessionId: "s", identifier: "user-1" };
      await store.recordActivity({ ...base, operation: "verify", status: "fail", startAt: T0, endAt: T0 });
      await store.recordActivity({ ...base, operation: "verify", status: "success", startAt: T0 + 1, endAt: T0 + 1 });
      await store.recordActivity({ ...base, operation: "refresh", status: "fail", startAt: T0 + 2, endAt: T0 + 2 });
      const failed = await store.listActivity({ identifier: "user-1", scopes: PE, status: "fail", offset: 0, limit: 10 });
      expect(failed.events.map((e) => e.operation)).toEqual(["verify", "refresh"]);
      const verifies = await store.listActivity({ identifier: "user-1", scopes: PE, operation: "verify", status: "success", offset: 0, limit: 10 });
      expect(verifies).toMatchObject({ total: 1, events: [{ startAt: T0 + 1 }] });

      await store.createSession(session({ identifier: "alice@x", refreshExpiresAt: T0 + 10 }));
      await store.createSession(session({ identifier: "alina", createdAt: T0 + 1 }));
      await store.createSession(session({ identifier: "bob", createdAt: T0 + 2 }));
      const now = T0 + 100;
      expect((await store.listUsers({ ...USERS, now, search: "ali", offset: 0, limit: 10 })).users.map((u) => u.identifier)).toEqual(["alina", "alice@x"]);
      expect(await store.listUsers({ ...USERS, now, search: "ali", activeOnly: true, offset: 0, limit: 10 })).toMatchObject({ total: 1, users: [{ identifier: "alina", activeSessions: 1 }] });
      expect(await store.listUsers({ ...USERS, now, activeOnly: true, offset: 1, limit: 1 })).toMatchObject({ total: 2, users: [{ identifier: "alina" }] });
      expect((await store.listUsers({ ...USERS, now, search: "%", offset: 0, limit: 10 })).total).toBe(0);
    }));

    it("lists a user seen under several tags once: earliest first seen, latest last seen, sessions summed", withStore(async (store) => {
      await store.createSession(session({ identifier: "both", createdAt: T0 }));
      await store.createSession(session({ identifier: "both", createdAt: T0 + 50 }));
      const other = session({ identifier: "both", tag: "t2", createdAt: T0 + 20 });
      await store.createSession(other);
      await store.createSession(session({ identifier: "only-t2", tag: "t2", createdAt: T0 + 30 }));
      await store.revokeSessions({ ...scope, tag: "t2", sessionId: other.id }, T0 + 60);
      await store.recordActivity({ ...scope, tag: "t2", operation: "track", status: "success", startAt: T0 + 80, endAt: T0 + 80, message: "m", sessionId: other.id, identifier: "both" });
      const now = T0 + 100;
      expect(await store.listUsers({ ...USERS, now })).toEqual({
        total: 2,
        truncated: false,
        users: [
          { identifier: "both", firstSeen: T0, lastSeen: T0 + 80, totalSessions: 3, activeSessions: 2 },
          { identifier: "only-t2", firstSeen: T0 + 30, lastSeen: T0 + 30, totalSessions: 1, activeSessions: 1 },
        ],
      });
      // One tag: that tag's row only.
      expect((await store.listUsers({ ...USERS, tag: "t", now })).users).toEqual([{ identifier: "both", firstSeen: T0, lastSeen: T0 + 50, totalSessions: 2, activeSessions: 2 }]);
      // Active means any of the user's rows has an active session; search merges the same way.
      expect((await store.listUsers({ ...USERS, tag: "t2", activeOnly: true, now })).users.map((u) => u.identifier)).toEqual(["only-t2"]);
      expect((await store.listUsers({ ...USERS, activeOnly: true, now })).users).toMatchObject([{ identifier: "both", totalSessions: 3, activeSessions: 2 }, { identifier: "only-t2" }]);
      expect((await store.listUsers({ ...USERS, search: "bo", now })).users).toEqual([{ identifier: "both", firstSeen: T0, lastSeen: T0 + 80, totalSessions: 3, activeSessions: 2 }]);
    }));

    it("lists users across the products and envs asked for, and none beyond them", withStore(async (store) => {
      await store.createSession(session({ identifier: "u", createdAt: T0 }));
      await store.createSession(session({ identifier: "u", env: "e2", createdAt: T0 + 10 }));
      await store.createSession(session({ identifier: "u", product: "q", createdAt: T0 + 20, refreshExpiresAt: T0 + 30 }));
      await store.createSession(session({ identifier: "hidden", product: "q", env: "e2", createdAt: T0 + 40 }));
      const now = T0 + 100;
      const all = [{ product: "p", env: "e" }, { product: "p", env: "e2" }, { product: "q", env: "e" }];
      expect(await store.listUsers({ ...USERS, scopes: all, now })).toEqual({
        total: 1,
        truncated: false,
        users: [{ identifier: "u", firstSeen: T0, lastSeen: T0 + 20, totalSessions: 3, activeSessions: 2 }],
      });
      expect((await store.listUsers({ ...USERS, scopes: [{ product: "p", env: "e2" }], now })).users).toEqual([{ identifier: "u", firstSeen: T0 + 10, lastSeen: T0 + 10, totalSessions: 1, activeSessions: 1 }]);
      expect((await store.listUsers({ ...USERS, scopes: [{ product: "q", env: "e2" }, { product: "p", env: "e" }], search: "hid", now })).users.map((u) => u.identifier)).toEqual(["hidden"]);
      expect((await store.listUsers({ ...USERS, scopes: [{ product: "q", env: "e" }], search: "hid", now })).total).toBe(0);
      // An identifier's timeline across products and envs, oldest first, within the scopes asked for.
      const base = { tag: "t", operation: "verify" as const, status: "success" as const, message: "m", sessionId: null, identifier: "u" };
      await store.recordActivity({ ...base, product: "q", env: "e", startAt: T0 + 3, endAt: T0 + 3 });
      await store.recordActivity({ ...base, product: "p", env: "e2", startAt: T0 + 2, endAt: T0 + 2 });
      await store.recordActivity({ ...base, product: "p", env: "e", startAt: T0 + 1, endAt: T0 + 1 });
      await store.recordActivity({ ...base, product: "q", env: "e2", startAt: T0, endAt: T0 });
      const timeline = await store.listActivity({ identifier: "u", scopes: all, offset: 0, limit: 10 });
      expect(timeline.total).toBe(3);
      expect(timeline.events.map((e) => `${e.product}/${e.env}`)).toEqual(["p/e", "p/e2", "q/e"]);
      expect(await store.listActivity({ identifier: "u", scopes: all, offset: 1, limit: 1 })).toMatchObject({ total: 3, events: [{ product: "p", env: "e2" }] });
    }));

    it("pages users in a stable order (last seen, then identifier) and reads at most scanLimit rows a product and env", withStore(async (store) => {
      // 12 users, three to a millisecond, spread over two tags.
      for (let i = 0; i < 12; i++) await store.createSession(session({ identifier: `u${String(i).padStart(2, "0")}`, tag: i % 2 ? "t2" : "t", createdAt: T0 + Math.floor(i / 3) }));
      const now = T0 + 100;
      const expected = [9, 10, 11, 6, 7, 8, 3, 4, 5, 0, 1, 2].map((i) => `u${String(i).padStart(2, "0")}`);
      const seen: string[] = [];
      for (let offset = 0; offset < 12; offset += 5) {
        const page = await store.listUsers({ ...USERS, now, offset, limit: 5 });
        expect(page.total).toBe(12);
        seen.push(...page.users.map((u) => u.identifier));
      }
      expect(seen).toEqual(expected);
      // The bound: the 6 most recently seen rows are read, and the answer says there may be more.
      const capped = await store.listUsers({ ...USERS, now, scanLimit: 6, limit: 100 });
      expect(capped).toMatchObject({ total: 6, truncated: true });
      expect(capped.users.map((u) => u.identifier)).toEqual(expected.slice(0, 6));
      // With a search, identifiers from the prefix on, in identifier order: u10, u11 of u1*.
      const search = await store.listUsers({ ...USERS, now, search: "u1", scanLimit: 2 });
      expect(search).toMatchObject({ total: 2, truncated: true });
      expect(search.users.map((u) => u.identifier)).toEqual(["u10", "u11"]);
      expect(await store.listUsers({ ...USERS, now, search: "u0", scanLimit: 10 })).toMatchObject({ total: 10, truncated: true });
      expect(await store.listUsers({ ...USERS, now, search: "u0", scanLimit: 11 })).toMatchObject({ total: 10, truncated: false });
    }));

    it("scans a product's activity by time across users, newest first, reading at most `limit`", withStore(async (store) => {
      const base = { ...scope, status: "success" as const, message: "m", sessionId: "s" };
      for (let i = 0; i < 6; i++) {
        await store.recordActivity({ ...base, operation: "track", identifier: `u-${i % 3}`, tag: i % 2 ? "t2" : "t", startAt: T0 + i * 10, endAt: T0 + i * 10, action: "buy", data: '{"card":"4242"}' });
      }
      await store.recordActivity({ ...base, operation: "create", identifier: "u-0", env: "other", startAt: T0 + 5, endAt: T0 + 5 });
      const all = await store.scanActivity({ product: "p", env: "e", from: T0, to: T0 + 1000, limit: 100 });
      expect(all.scanned).toBe(6);
      expect(all.events.map((e) => e.startAt)).toEqual([50, 40, 30, 20, 10, 0].map((n) => T0 + n));
      // Tracked data stays in the user's own timeline.
      expect(all.events.every((e) => e.data === undefined && e.action === "buy")).toBe(true);
      // `from` inclusive, `to` exclusive.
      const range = await store.scanActivity({ product: "p", env: "e", from: T0 + 10, to: T0 + 40, limit: 100 });
      expect(range.events.map((e) => e.startAt)).toEqual([T0 + 30, T0 + 20, T0 + 10]);
      const capped = await store.scanActivity({ product: "p", env: "e", from: T0, to: T0 + 1000, limit: 4 });
      expect(capped.scanned).toBe(4);
      expect(capped.events.map((e) => e.startAt)).toEqual([T0 + 50, T0 + 40, T0 + 30, T0 + 20]);
      const tagged = await store.scanActivity({ product: "p", env: "e", tag: "t2", from: T0, to: T0 + 1000, limit: 4 });
      expect(tagged).toMatchObject({ scanned: 4, events: [{ startAt: T0 + 50 }, { startAt: T0 + 30 }] });
    }));

    it("counts active sessions of a product, env and tag, up to a limit", withStore(async (store) => {
      for (const s of [session(), session(), session({ tag: "t2" }), session({ refreshExpiresAt: T0 + 10 }), session({ env: "other" })]) await store.createSession(s);
      const revoked = session();
      await store.createSession(revoked);
      await store.revokeSessions({ ...scope, sessionId: revoked.id }, T0 + 1);
      const now = T0 + 100;
      expect(await store.countActiveSessions({ product: "p", env: "e", now, limit: 1000 })).toBe(3);
      expect(await store.countActiveSessions({ product: "p", env: "e", tag: "t", now, limit: 1000 })).toBe(2);
      expect(await store.countActiveSessions({ product: "p", env: "e", tag: "t2", now, limit: 1000 })).toBe(1);
      expect(await store.countActiveSessions({ product: "p", env: "nope", now, limit: 1000 })).toBe(0);
      expect(await store.countActiveSessions({ product: "p", env: "e", now, limit: 2 })).toBeLessThanOrEqual(2);
    }));

    it("answers /v1/stats's buckets from its range scan", withStore(async (store) => {
      const base = { ...scope, sessionId: "s", message: "m" };
      const H = 3_600_000;
      await store.recordActivity({ ...base, operation: "create", status: "success", identifier: "a", startAt: T0 + 1, endAt: T0 + 1 });
      await store.recordActivity({ ...base, operation: "refresh", status: "success", identifier: "a", startAt: T0 + H + 1, endAt: T0 + H + 1 });
      await store.recordActivity({ ...base, operation: "refresh", status: "fail", identifier: "a", startAt: T0 + H + 2, endAt: T0 + H + 2, message: "reuse of a rotated refresh token (generation 0 of 1): session revoked" });
      await store.recordActivity({ ...base, operation: "verify", status: "fail", identifier: "b", startAt: T0 + 2 * H, endAt: T0 + 2 * H, message: "token invalid: expired" });
      await store.recordActivity({ ...base, operation: "verify", status: "success", identifier: "b", startAt: T0 + 2 * H + 5, endAt: T0 + 2 * H + 5 });
      await store.recordActivity({ ...base, operation: "track", status: "success", identifier: "b", startAt: T0 + 2 * H + 6, endAt: T0 + 2 * H + 6, action: "checkout" });
      await store.recordActivity({ ...base, operation: "revoke", status: "success", identifier: "c", startAt: T0 + 3 * H, endAt: T0 + 3 * H });
      const { events } = await store.scanActivity({ product: "p", env: "e", from: T0, to: T0 + 3 * H, limit: 1000 });
      const { buckets, totals, distinctUsers } = bucketize(events, T0, T0 + 3 * H, H);
      expect(buckets.map((b) => b.start)).toEqual([0, 1, 2].map((h) => new Date(T0 + h * H).toISOString()));
      expect(distinctUsers).toBe(2);
      expect(buckets[0]).toMatchObject({ starts: 1, refreshes: 0 });
      expect(buckets[1]).toMatchObject({ refreshes: 1, reuseDetections: 1, failures: { "refresh:reuse": 1 } });
      expect(buckets[2]).toMatchObject({ verifies: { valid: 1, invalid: { expired: 1 } }, actions: { checkout: 1 }, failures: { "verify:expired": 1 } });
      expect(totals).toMatchObject({ starts: 1, refreshes: 1, revokes: 0, reuseDetections: 1, verifies: { valid: 1, invalid: { expired: 1 } } });
    }));

    it("claims idempotency keys once, until they expire or are released", withStore(async (store) => {
      const claim = { key: "k", bodyHash: "b1", expiresAt: T0 + 100, now: T0 };
      expect(await store.claimIdempotency(claim)).toBeNull();
      expect(await store.claimIdempotency({ ...claim, bodyHash: "b2" })).toEqual({ key: "k", bodyHash: "b1", expiresAt: T0 + 100, sessionId: null, sealedResponse: null });
      await store.completeIdempotency("k", "s-1", "sealed");
      expect(await store.claimIdempotency(claim)).toMatchObject({ sessionId: "s-1", sealedResponse: "sealed" });
      expect(await store.claimIdempotency({ ...claim, bodyHash: "b3", now: T0 + 100, expiresAt: T0 + 200 })).toBeNull();
      expect(await store.claimIdempotency({ ...claim, now: T0 + 101 })).toMatchObject({ bodyHash: "b3", sessionId: null });
      await store.releaseIdempotency("k");
      expect(await store.claimIdempotency(claim)).toBeNull();
      const racing = await Promise.all(Array.from({ length: 20 }, () => store.claimIdempotency({ ...claim, key: "race" })));
      expect(racing.filter((r) => r === null)).toHaveLength(1);
    }));

    it("counts a session's track events and their data length, and nothing else", withStore(async (store) => {
      const mine = session();
      const other = session();
      for (const s of [mine, other]) await store.createSession(s);
      const event = (s: StoredSession, operation: "track" | "verify", data?: string) => ({
        ...scope, operation, status: "success" as const, startAt: T0, endAt: T0, message: "m", sessionId: s.id, identifier: s.identifier,
        ...(operation === "track" ? { action: "a" } : {}), ...(data !== undefined ? { data } : {}),
      });
      expect(await store.trackUsage(mine)).toEqual({ events: 0, dataLength: 0 });
      await store.recordActivity(event(mine, "track", '{"a":1}'));
      await store.recordActivity(event(mine, "track"));
      await store.recordActivity(event(mine, "track", '"héllo"'));
      await store.recordActivity(event(mine, "verify"));
      await store.recordActivity(event(other, "track", '{"b":22}'));
      expect(await store.trackUsage(mine)).toEqual({ events: 3, dataLength: 7 + 7 });
      expect(await store.trackUsage(other)).toEqual({ events: 1, dataLength: 8 });
    }));

    it("keeps a bound session's DPoP key through rotation and revocation; unbound ones have none", withStore(async (store) => {
      const jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
      const bound = session({ jkt });
      const unbound = session();
      await store.createSession(bound);
      await store.createSession(unbound);
      expect(await store.getSession(bound.id)).toEqual(bound);
      expect((await store.getSession(unbound.id))?.jkt ?? null).toBeNull();
      await store.rotateRefresh({ sessionId: bound.id, expectedHash: bound.refreshHash, nextHash: `${bound.refreshHash}-1`, nextGeneration: 1, rotatedAt: T0 + 1, refreshExpiresAt: T0 + 7_200_000, sealedPair: "s" });
      expect((await store.getSession(bound.id))?.jkt).toBe(jkt);
      await store.revokeSessions({ ...scope, sessionId: bound.id }, T0 + 2);
      expect(await store.getSession(bound.id)).toMatchObject({ jkt, revokedAt: T0 + 2 });
    }));

    it("records a DPoP proof's jti once until it expires (RFC 9449 §11.1)", withStore(async (store) => {
      expect(await store.claimProofJti("jkt.jti-1", T0 + 300_000, T0)).toBe(true);
      expect(await store.claimProofJti("jkt.jti-1", T0 + 400_000, T0 + 1)).toBe(false);
      expect(await store.claimProofJti("jkt.jti-2", T0 + 300_000, T0 + 1)).toBe(true);
      expect(await store.claimProofJti("jkt.jti-1", T0 + 300_000, T0 + 299_999)).toBe(false);
      // Past its expiry the record no longer counts (the proof's iat is out of window by then anyway).
      expect(await store.claimProofJti("jkt.jti-1", T0 + 900_000, T0 + 300_000)).toBe(true);
      expect(await store.claimProofJti("jkt.jti-1", T0 + 900_000, T0 + 300_001)).toBe(false);
      const racing = await Promise.all(Array.from({ length: 20 }, () => store.claimProofJti("jkt.race", T0 + 300_000, T0)));
      expect(racing.filter(Boolean)).toHaveLength(1);
      await store.purge({ now: T0 + 300_000, sessionsBefore: T0, activityBefore: T0 });
      expect(await store.claimProofJti("jkt.race", T0 + 900_000, T0 + 300_000)).toBe(true);
      expect(await store.claimProofJti("jkt.jti-1", T0 + 900_000, T0 + 300_002)).toBe(false);
    }));

    it("purges ended sessions, their hashes, old activity and expired keys", withStore(async (store) => {
      const live = session({ refreshExpiresAt: T0 + 1000 });
      const ended = session({ refreshExpiresAt: T0 + 10, jkt: "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I" });
      const revoked = session();
      for (const s of [live, ended, revoked]) await store.createSession(s);
      await store.revokeSessions({ ...scope, sessionId: revoked.id }, T0 + 5);
      const base = { ...scope, operation: "create" as const, status: "success" as const, message: "m", sessionId: null, identifier: "user-1" };
      await store.recordActivity({ ...base, startAt: T0, endAt: T0 });
      await store.recordActivity({ ...base, startAt: T0 + 500, endAt: T0 + 500 });
      await store.claimIdempotency({ key: "old", bodyHash: "b", expiresAt: T0 + 50, now: T0 });
      expect(await store.purge({ now: T0 + 100, sessionsBefore: T0 + 100, activityBefore: T0 + 100 })).toEqual({ sessions: 2, activity: 1 });
      expect(await store.getSession(ended.id)).toBeNull();
      expect(await store.findRefreshHash(ended.refreshHash)).toBeNull();
      expect(await store.getSession(live.id)).not.toBeNull();
      expect(await store.findRefreshHash(live.refreshHash)).not.toBeNull();
      expect(await store.claimIdempotency({ key: "old", bodyHash: "new", expiresAt: T0 + 500, now: T0 + 100 })).toBeNull();
    }));
  });
}
