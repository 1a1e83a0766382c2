import type { SqliteDatabaseLike } from "./sqlite-database.js";

interface Pending {
  run: () => number[];
  resolve: (changes: number[]) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommit {
  /**
   * Queues `run` (the statements of one batch); resolves with its result once committed.
   * `later`: a write nobody's answer waits on (activity events): it rides along with the
   * next commit another write asks for, or is committed after LATER_MS when none does.
   */
  batch(db: SqliteDatabaseLike, run: () => number[], options?: { later?: boolean }): Promise<number[]>;
  /** Commits what is queued now (before closing the database). */
  flush(): void;
}

/**
 * Group commit for a synchronous SQLite handle (better-sqlite3, node:sqlite). Batches queued
 * before a commit are committed together in one transaction: at the next `setImmediate`, or,
 * when the last commit was less than COMMIT_SPACING_MS ago, once that much time has passed.
 * Each batch of a group runs in its own savepoint (`transaction()` nests that way), so a batch
 * that throws is rolled back alone and rejects alone, and a compare-and-set still sees the
 * batches before it. A promise resolves only after the commit, so a caller that awaited its
 * write reads it back. Under load, concurrent requests share one WAL append instead of
 * writing the same hot index pages once each; alone, a batch waits one loop turn.
 */
// Captured at load: test suites that fake timers (vitest fakes setImmediate by default) must
// not leave writes queued forever. Read through `typeof`: this module is in tessera-sessions/server's
// bundle, which Workers load without Node's globals, and a bare `setImmediate` there is a
// ReferenceError at load (only SQLite on Node ever calls `later`).
const later: (run: () => void) => unknown = typeof setImmediate === "function" ? setImmediate : (run) => setTimeout(run, 0);
const timer = setTimeout;
const cancel = clearTimeout;

/**
 * How long a `later` write waits for another commit to join. Each commit appends every page
 * it touched to the WAL (see COMMIT_SPACING_MS for its cost): with activity events joining the
 * next session write, a start costs one commit instead of two whenever requests do not
 * overlap. Short, because whoever reads activity (the console, the per-session track cap)
 * waits for the activity queue's flush, and so for this.
 */
export const LATER_MS = 5;
/**
 * The shortest time between two commits. A commit of a start's writes cost about 250 µs of CPU
 * when it was alone (WAL frames for every page touched, checkpoints amortised), against about
 * 160 µs each when 8 shared one. Over HTTP, requests rarely meet in one event-loop turn, so
 * under load the writes of the next 2 ms wait to share a commit: 10-25 % less CPU per start on
 * `serveNode` with SQLite in alternating runs (bench/http-path.mjs). A write after a quiet
 * spell still commits at the next turn.
 */
export const COMMIT_SPACING_MS = 2;

/** The windows are LATER_MS and COMMIT_SPACING_MS, unless a test needs ones it can observe on a loaded machine. */
export function createGroupCommit({ spacingMs = COMMIT_SPACING_MS, laterMs = LATER_MS }: { spacingMs?: number; laterMs?: number } = {}): GroupCommit {
  let queue: { db: SqliteDatabaseLike; pending: Pending[]; soon: boolean; timer?: ReturnType<typeof timer> } | null = null;
  let lastCommit = -Infinity;

  const flush = () => {
    const group = queue;
    queue = null;
    if (!group) return;
    if (group.timer !== undefined) cancel(group.timer);
    lastCommit = performance.now();
    const outcomes: Array<{ changes: number[] } | { error: unknown }> = [];
    try {
      group.db.transaction(() => {
        // A batch alone needs no savepoint: if it throws, the transaction is rolled back, and
        // that is this batch alone (the catch below rejects it).
        if (group.pending.length === 1) {
          outcomes.push({ changes: group.pending[0]!.run() });
          return;
        }
        for (const item of group.pending) {
          try {
            outcomes.push({ changes: group.db.transaction(item.run)() });
          } catch (error) {
            outcomes.push({ error });
          }
        }
      })();
    } catch (error) {
      // The commit itself failed (disk full, locked past busy_timeout): nothing was written.
      for (const item of group.pending) item.reject(error);
      return;
    }
    group.pending.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if ("error" in outcome) item.reject(outcome.error);
      else item.resolve(outcome.changes);
    });
  };

  return {
    batch(db, run, options) {
      return new Promise((resolve, reject) => {
        if (queue && queue.db !== db) flush();
        queue ??= { db, pending: [], soon: false };
        queue.pending.push({ run, resolve, reject });
        if (queue.soon) return;
        if (!options?.later) {
          queue.soon = true;
          // At most one commit per COMMIT_SPACING_MS: alone, a write commits at the next turn;
          // under load, the writes of the next few milliseconds share the commit.
          const since = performance.now() - lastCommit;
          if (since >= spacingMs) later(flush);
          else {
            if (queue.timer !== undefined) cancel(queue.timer);
            queue.timer = timer(flush, spacingMs - since);
          }
        } else {
          queue.timer ??= timer(flush, laterMs);
        }
      });
    },
    flush,
  };
}
