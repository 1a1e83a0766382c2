import type { SqliteDatabaseLike, SqliteStatementLike } from "./sqlite-database.js";

/** What this file uses of `node:sqlite`'s `DatabaseSync` (Node >= 22.5; Deno has it too). */
export interface DatabaseSyncLike {
  exec(sql: string): void;
  prepare(sql: string): SqliteStatementLike;
  close(): void;
}

/**
 * `node:sqlite`'s DatabaseSync as the handle sqliteStore takes. DatabaseSync has no
 * `transaction()` helper, so this one follows better-sqlite3's: BEGIN ... COMMIT at the outer
 * level, a SAVEPOINT per nested call, so the group commit can roll one batch back alone
 * (https://www.sqlite.org/lang_savepoint.html).
 */
export function nodeSqliteDatabase(db: DatabaseSyncLike): SqliteDatabaseLike {
  let depth = 0;
  return {
    prepare: (sql) => db.prepare(sql),
    close: () => db.close(),
    transaction<T>(run: () => T) {
      return () => {
        const savepoint = depth === 0 ? null : `tessera_${depth}`;
        db.exec(savepoint ? `SAVEPOINT ${savepoint}` : "BEGIN");
        depth++;
        try {
          const result = run();
          db.exec(savepoint ? `RELEASE ${savepoint}` : "COMMIT");
          return result;
        } catch (error) {
          db.exec(savepoint ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : "ROLLBACK");
          throw error;
        } finally {
          depth--;
        }
      };
    },
  };
}
