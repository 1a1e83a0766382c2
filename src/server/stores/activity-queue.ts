import type { ActivityRecord, SessionStore } from "./types.js";

/** Events queued, or being written, before `recordActivity` makes its caller wait. */
export const MAX_PENDING_EVENTS = 1024;
/** Events written per `recordActivities` call. */
const MAX_BATCH = 256;

export type QueuedStore = SessionStore & {
  /** Resolves once every event recorded before the call is written (or reported to onError). */
  flush(): Promise<void>;
};

/**
 * Activity writes off the answer's path. Every start, refresh and verify records an event;
 * awaiting each write made the answer wait for a second transaction (SQLite: one more group
 * commit, a loop turn later). Stores that offer `recordActivities` (memory, SQLite,
 * PostgreSQL: long-lived processes) get the events queued and written in batches, in the
 * order they were recorded, one batch after the other. Stores without it (D1: a Worker may be
 * stopped once its answer is sent; Deno KV) keep the awaited write.
 *
 * A crash (SIGKILL, power loss before SQLite's own durability point) loses at most the events
 * not yet written: never more than MAX_PENDING_EVENTS, because `recordActivity` waits for the
 * write in progress once that many are pending. Readers of activity (`listActivity`,
 * `scanActivity`, `listUsers`, whose last-seen times events move), `purge` and `close` flush first, so this
 * process always reads its own writes.
 */
export function queueActivity(store: SessionStore, onError: (error: unknown) => void): QueuedStore {
  const writeMany = store.recordActivities?.bind(store);
  if (!writeMany) return { ...bind(store), flush: async () => {} };

  let queue: ActivityRecord[] = [];
  // Events recorded, and events written (or reported to onError), since the start: both in order.
  let recorded = 0;
  let settled = 0;
  let writing = false;
  let scheduled = false;
  let waiters: Array<{ upTo: number; resolve: () => void }> = [];

  // One write in flight at a time, each taking everything queued when it starts (up to
  // MAX_BATCH): a store that commits writes late (SQLite's `later` batches) then gets a few
  // large batches instead of a chain of small ones, each waiting for its own commit.
  const write = async (): Promise<void> => {
    writing = true;
    try {
      while (queue.length > 0) {
        const batch = queue.length <= MAX_BATCH ? queue : queue.slice(0, MAX_BATCH);
        queue = queue.length <= MAX_BATCH ? [] : queue.slice(MAX_BATCH);
        try {
          await writeMany(batch);
        } catch (error) {
          onError(error);
        }
        settled += batch.length;
        waiters = waiters.filter((w) => (w.upTo <= settled ? void w.resolve() : true));
      }
    } finally {
      writing = false;
    }
  };
  const start = () => {
    scheduled = false;
    if (!writing) void write();
  };
  /** Resolves once every event recorded before the call is settled; later ones do not delay it. */
  const flush = (): Promise<void> => {
    if (settled >= recorded) return Promise.resolve();
    const done = new Promise<void>((resolve) => waiters.push({ upTo: recorded, resolve }));
    start();
    return done;
  };
  /** The store's method, called once everything queued so far is written. */
  const afterFlush = <A extends unknown[], R>(method: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    await flush();
    return method.apply(store, args);
  };

  return {
    ...bind(store),
    async recordActivity(event) {
      queue.push(event);
      recorded++;
      if (!writing && !scheduled) {
        scheduled = true;
        // Once the current task's synchronous part is done: the answer goes out first, and
        // events of requests handled in the same task share a batch. A microtask, not a timer:
        // suites that fake timers still see their writes.
        queueMicrotask(start);
      }
      if (recorded - settled > MAX_PENDING_EVENTS) await flush();
    },
    // Readers see this process's own writes; the per-session track cap counts queued events too.
    listActivity: afterFlush(store.listActivity),
    trackUsage: afterFlush(store.trackUsage),
    scanActivity: afterFlush(store.scanActivity),
    listUsers: afterFlush(store.listUsers),
    purge: afterFlush(store.purge),
    async close() {
      await flush();
      await store.close?.();
    },
    flush,
  };
}

/** The store's methods bound to it, so a spread copy still calls them on the store. */
function bind(store: SessionStore): SessionStore {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(store) as (keyof SessionStore)[]) {
    const value = store[key];
    out[key] = typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(store) : value;
  }
  return out as unknown as SessionStore;
}
