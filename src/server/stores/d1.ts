import { sqlStore, type SqlDriver } from "./sql-store.js";
import type { SessionStore } from "./types.js";

/** The part of Cloudflare's D1Database binding this store uses (no dependency on workers-types). */
export interface D1Like {
  prepare(sql: string): D1StatementLike;
  batch(statements: D1StatementLike[]): Promise<Array<{ meta?: { changes?: number } }>>;
}
export interface D1StatementLike {
  bind(...values: unknown[]): D1StatementLike;
  all(): Promise<{ results?: Record<string, unknown>[] }>;
}

/**
 * Cloudflare D1: the same SQL as the SQLite store. D1 has no interactive transactions, but
 * `batch()` runs its statements as one transaction, which is all a rotation needs: the
 * compare-and-set UPDATE and the INSERT that depends on it travel in one batch.
 */
export function d1Store(binding: D1Like): SessionStore {
  const driver: SqlDriver = {
    async all(sql, params) {
      const { results } = await binding.prepare(sql).bind(...params).all();
      return results ?? [];
    },
    async batch(list) {
      const results = await binding.batch(list.map(({ sql, params }) => binding.prepare(sql).bind(...params)));
      return results.map((r) => r.meta?.changes ?? 0);
    },
  };
  // No batched activity: written after the answer, it could be cut off with the Worker
  // (activity-queue.ts). Each event is awaited with the request that records it.
  const { recordActivities: _batched, ...store } = sqlStore(driver);
  return store;
}
