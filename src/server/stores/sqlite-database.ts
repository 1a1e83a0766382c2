/**
 * What sqliteStore needs of a synchronous SQLite handle: the part of better-sqlite3's
 * `Database` it calls, written out so that tessera-sessions/server's types compile in projects
 * without better-sqlite3 or its types (Workers, browsers, Deno). A better-sqlite3 `Database`
 * fits as is; `node:sqlite`'s `DatabaseSync` fits through `nodeSqliteDatabase()`.
 */
export interface SqliteDatabaseLike {
  prepare(sql: string): SqliteStatementLike;
  /**
   * Wraps `run` in a transaction; called inside another transaction it nests as a savepoint,
   * so an inner failure rolls back the inner part alone (better-sqlite3's semantics).
   */
  transaction<T>(run: () => T): () => T;
  close(): unknown;
}

export interface SqliteStatementLike {
  run(...params: unknown[]): { changes: number | bigint };
  all(...params: unknown[]): unknown[];
}
