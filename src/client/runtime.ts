/**
 * Every runtime feature the client depends on is detected here, and only here (ky keeps its
 * detection in one `constants.ts` the same way). Checks run when called, never at import, so
 * importing tessera during SSR or in a Worker touches no browser global (auth0-spa-js #108).
 */

/** A page with a document: background refresh, visibility re-checks and tab sharing make sense. */
export const hasDocument = (): boolean => typeof document === "object" && !!document?.addEventListener;

export const hasIndexedDB = (): boolean => typeof indexedDB === "object" && !!indexedDB;

export const hasBroadcastChannel = (): boolean => typeof BroadcastChannel === "function";

/** The origin of the page (or browser worker) running us; undefined in Node and Workers, which have no `location`. */
export const pageOrigin = (): string | undefined => globalThis.location?.origin;

/** Defined only by the script-tag build (tsup.config.ts), which runs in pages: no process to hold. */
declare const TESSERA_SCRIPT_TAG: true | undefined;

/**
 * Never keep a Node or Deno process alive (issue 2, Behaviour 4): Node timers and Node's
 * BroadcastChannel have `unref()`, Deno timers `Deno.unrefTimer(id)`.
 */
export function unref(handle: unknown): void {
  if (typeof TESSERA_SCRIPT_TAG !== "undefined") return;
  if (typeof handle === "number") (globalThis as { Deno?: { unrefTimer?(id: number): void } }).Deno?.unrefTimer?.(handle);
  else (handle as { unref?(): void })?.unref?.();
}

/** setTimeout that never holds the process, clamped to the largest delay timers accept. */
export function backgroundTimer(callback: () => void, delayMs: number): () => void {
  const handle = setTimeout(callback, Math.min(Math.max(0, delayMs), 2 ** 31 - 1));
  unref(handle);
  return () => clearTimeout(handle);
}

/**
 * Runs `task` holding the Web Lock `name` where the runtime has Web Locks (browsers), so the
 * tabs of one origin rotate a session one at a time and the later ones find it already rotated.
 * The wait is bounded: a lock not granted within `waitMs` (a tab stuck while holding it) is
 * given up and the task runs anyway, covered by the server's grace window as without locks.
 * supabase-js dropped its unbounded cross-tab lock after deadlocks (#1594, #2013); a closed or
 * crashed tab's locks are released by the browser at once (Web Locks, "lock release").
 */
export function exclusive<T>(name: string, waitMs: number, task: () => Promise<T>): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (!locks) return task();
  let granted: Promise<T> | undefined;
  return locks.request(name, { signal: AbortSignal.timeout(waitMs) }, () => (granted = task())).catch(() => granted ?? task()) as Promise<T>;
}
