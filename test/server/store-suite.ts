import { describe, expect, it } from "vitest";
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
      const { total, users } = await store.listUsers({ ...scope, now: T0 + 100, offset: 0, limit: 10 });
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
      const all = await store.listActivity({ identifier: "user-1", product: "p", env: "e", offset: 0, limit: 10 });
      expect(all.total).toBe(3);
      expect(all.events.map((e) => e.operation)).toEqual(["create", "verify", "track"]);
      expect(all.events[2]).toEqual({ ...base, operation: "track", startAt: T0 + 2, endAt: T0 + 2, action: "buy", data: '{"n":1}' });
      expect(all.events[1]!.sessionId).toBeNull();
      const tagged = await store.listActivity({ identifier: "user-1", product: "p", env: "e", tag: "t", from: T0 + 1, offset: 0, limit: 10 });
      expect(tagged.events.map((e) => e.operation)).toEqual(["track"]);
      const paged = await store.listActivity({ identifier: "user-1", product: "p", env: "e", to: T0 + 1, offset: 1, limit: 1 });
      expect(paged).toMatchObject({ total: 2, events: [{ operation: "verify" }] });
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
