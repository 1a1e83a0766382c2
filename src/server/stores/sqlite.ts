import { createGroupCommit } from "./group-commit.js";
import type { SqliteDatabaseLike, SqliteStatementLike } from "./sqlite-database.js";
import { loadSqliteDriver, openSqliteFile, type SqliteFileOpener } from "./sqlite-file.js";
import { sqlStore, type SqlDriver, type SqlStatement } from "./sql-store.js";
import type { SessionStore } from "./types.js";

/** `path`: a file opened with better-sqlite3; `database`: a handle you opened (and close). */
export type SqliteStoreOptions = { path: string } | { database: SqliteDatabaseLike };

/**
 * SQLite through better-sqlite3 (an optional peer dependency, loaded on first use): the
 * embedded default on Node. better-sqlite3 is synchronous, so each batch runs without any
 * other request interleaving; batches queued in the same event-loop turn share one commit
 * (group-commit.ts), each in its own savepoint.
 */
export function sqliteStore(options: SqliteStoreOptions): SessionStore & { close(): Promise<void> } {
  if ("database" in options) return storeOver(() => Promise.resolve(options.database), false);
  return storeOver(async () => openSqliteFile(options.path, await loadSqliteDriver("better-sqlite3")), true);
}

/**
 * A store over a file opened with a driver the caller picked (tessera dev and tessera serve:
 * better-sqlite3, else node:sqlite), the same way sqliteStore({ path }) opens it. Not public.
 */
export function sqliteFileStore(path: string, open: SqliteFileOpener): SessionStore & { close(): Promise<void> } {
  return storeOver(() => openSqliteFile(path, open), true);
}

/** `owned`: the database is opened here (on first use), so close() closes it. */
function storeOver(open: () => Promise<SqliteDatabaseLike>, owned: boolean): SessionStore & { close(): Promise<void> } {
  let opened: Promise<SqliteDatabaseLike> | undefined;
  const database = () => (opened ??= open());
  const statements = new Map<string, SqliteStatementLike>();
  const prepare = (db: SqliteDatabaseLike, sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };

  const commits = createGroupCommit();
  /** One batch through the group commit; `later`: activity, which no answer waits on (group-commit.ts). */
  const batchWith = (later: boolean) => async (list: SqlStatement[]) => {
    const db = await database();
    // DDL statements must be prepared after the tables they reference exist: prepare inside.
    return commits.batch(db, () => list.map(({ sql, params }) => Number(prepare(db, sql).run(...params).changes)), { later });
  };

  const driver: SqlDriver = {
    async all(sql, params) {
      const db = await database();
      return prepare(db, sql).all(...params) as Record<string, unknown>[];
    },
    batch: batchWith(false),
    batchLater: batchWith(true),
  };
  return {
    ...sqlStore(driver),
    async close() {
      commits.flush();
      // Only a database we opened is ours to close; one that failed to open has nothing to close.
      if (opened && owned) await opened.then((db) => db.close(), () => {});
      opened = undefined;
      statements.clear();
    },
  };
}
