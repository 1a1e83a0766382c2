import Database from "better-sqlite3";
import { describe, expect, it, vi } from "vitest";
import { COMMIT_SPACING_MS, createGroupCommit, LATER_MS } from "../../src/server/stores/group-commit.js";

function table() {
  const db = new Database(":memory:");
  db.exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)");
  const insert = db.prepare("INSERT INTO t (k, v) VALUES (?, ?)");
  const cas = db.prepare("UPDATE t SET v = ? WHERE k = ? AND v = ?");
  const count = () => (db.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n;
  return { db, insert, cas, count };
}

describe("group commit (sqliteStore)", () => {
  it("commits batches queued in one turn together, and a failing batch alone is rolled back", async () => {
    const { db, insert, count } = table();
    const group = createGroupCommit();
    const ok1 = group.batch(db, () => [insert.run("a", 1).changes, insert.run("b", 1).changes]);
    // A duplicate key in the middle of its batch: its first insert must be rolled back too.
    const bad = group.batch(db, () => [insert.run("c", 1).changes, insert.run("a", 2).changes]);
    let sawFirstUncommitted = false;
    const ok2 = group.batch(db, () => {
      // Same open transaction as the first batch: its rows are visible, not yet committed.
      sawFirstUncommitted = db.inTransaction && count() === 2;
      return [insert.run("d", 1).changes];
    });
    expect(count()).toBe(0); // nothing runs before the turn ends
    await expect(ok1).resolves.toEqual([1, 1]);
    await expect(bad).rejects.toThrow(/UNIQUE/);
    await expect(ok2).resolves.toEqual([1]);
    expect(sawFirstUncommitted).toBe(true);
    expect(db.prepare("SELECT k FROM t ORDER BY k").all().map((r: any) => r.k)).toEqual(["a", "b", "d"]);
  });

  it("keeps compare-and-set exact inside one group: only the first of two racing updates applies", async () => {
    const { db, insert, cas } = table();
    insert.run("s", 0);
    const group = createGroupCommit();
    const first = group.batch(db, () => [cas.run(1, "s", 0).changes]);
    const second = group.batch(db, () => [cas.run(1, "s", 0).changes]);
    expect(await Promise.all([first, second])).toEqual([[1], [0]]);
    expect((db.prepare("SELECT v FROM t WHERE k = 's'").get() as { v: number }).v).toBe(1);
  });

  it("flush() commits at once, and a failed commit rejects every batch of the group", async () => {
    const { db, insert, count } = table();
    const group = createGroupCommit();
    const queued = group.batch(db, () => [insert.run("x", 1).changes]);
    group.flush();
    expect(count()).toBe(1);
    await expect(queued).resolves.toEqual([1]);
    // A database closed before the turn ends cannot commit: every batch of the group rejects.
    const a = group.batch(db, () => [insert.run("y", 1).changes]);
    const b = group.batch(db, () => []);
    db.close();
    await expect(a).rejects.toThrow(/not open/);
    await expect(b).rejects.toThrow(/not open/);
  });
});

describe("group commit: a batch alone, and writes that may wait (activity)", () => {
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  it("rolls back every statement of a lone failing batch (no savepoint around it)", async () => {
    const { db, insert, count } = table();
    insert.run("a", 1);
    const group = createGroupCommit();
    const bad = group.batch(db, () => [insert.run("b", 1).changes, insert.run("a", 2).changes]);
    await expect(bad).rejects.toThrow(/UNIQUE/);
    expect(count()).toBe(1);
    await expect(group.batch(db, () => [insert.run("c", 1).changes])).resolves.toEqual([1]);
    expect(count()).toBe(2);
  });

  // Windows wide enough to observe on a loaded CI machine; production uses LATER_MS.
  const laterMs = 300;

  it("commits a `later` batch alone after its window, not at the next turn", async () => {
    expect(LATER_MS).toBeLessThan(laterMs);
    const { db, insert, count } = table();
    const group = createGroupCommit({ laterMs });
    const queued = group.batch(db, () => [insert.run("e", 1).changes], { later: true });
    await turn();
    await turn();
    expect(count()).toBe(0);
    await expect(queued).resolves.toEqual([1]);
    expect(count()).toBe(1);
  });

  it("lets a `later` batch ride along with the next ordinary commit, in queue order", async () => {
    const { db, insert } = table();
    const group = createGroupCommit({ laterMs });
    const order: string[] = [];
    const event = group.batch(db, () => (order.push("event"), [insert.run("e", 1).changes]), { later: true });
    const session = group.batch(db, () => (order.push("session"), [insert.run("s", 1).changes]));
    const started = performance.now();
    await Promise.all([event, session]);
    // One commit at the next turn for both, well before the `later` timer would fire.
    expect(performance.now() - started).toBeLessThan(laterMs);
    expect(order).toEqual(["event", "session"]);
  });

  it("spaces commits under load: a write right after a commit waits to share the next one", async () => {
    const { db, insert, count } = table();
    // A window wide enough to observe on a loaded CI machine; production uses COMMIT_SPACING_MS.
    const spacingMs = 300;
    expect(COMMIT_SPACING_MS).toBeLessThan(spacingMs);
    const group = createGroupCommit({ spacingMs });
    await group.batch(db, () => [insert.run("a", 1).changes]);
    const b = group.batch(db, () => [insert.run("b", 1).changes]);
    await turn();
    await turn();
    expect(count()).toBe(1);
    const c = group.batch(db, () => [insert.run("c", 1).changes]);
    await Promise.all([b, c]);
    expect(count()).toBe(3);
    // After a quiet spell, the next write commits at the next turn again.
    await new Promise((resolve) => setTimeout(resolve, spacingMs + 20));
    const d = group.batch(db, () => [insert.run("d", 1).changes]);
    await turn();
    expect(count()).toBe(4);
    await d;
  });

  it("still commits `later` batches when a test suite fakes timers", async () => {
    const { db, insert, count } = table();
    const group = createGroupCommit();
    vi.useFakeTimers();
    try {
      await expect(group.batch(db, () => [insert.run("k", 1).changes], { later: true })).resolves.toEqual([1]);
      expect(count()).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("group commit under fake timers", () => {
  it("still commits when a test suite fakes setImmediate", async () => {
    const { db, insert, count } = table();
    const group = createGroupCommit();
    vi.useFakeTimers();
    try {
      await expect(group.batch(db, () => [insert.run("k", 1).changes])).resolves.toEqual([1]);
      expect(count()).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
