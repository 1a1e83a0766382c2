import { createGroupCommit } from "./group-commit.js";
import type { SqliteDatabaseLike, SqliteStatementLike } from "./sqlite-database.js";
import { sqlStore, type SqlDriver } from "./sql-store.js";
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
  let opened: Promise<SqliteDatabaseLike> | undefined;
  const database = () =>
    (opened ??= "database" in options ? Promise.resolve(options.database) : openFile(options.path));
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

  const driver: SqlDriver = {
    async all(sql, params) {
      const db = await database();
      return prepare(db, sql).all(...params) as Record<string, unknown>[];
    },
    async batch(list) {
      const db = await database();
      // DDL statements must be prepared after the tables they reference exist: prepare inside.
      return commits.batch(db, () => list.map(({ sql, params }) => Number(prepare(db, sql).run(...params).changes)));
    },
    async batchLater(list) {
      const db = await database();
      return commits.batch(db, () => list.map(({ sql, params }) => Number(prepare(db, sql).run(...params).changes)), { later: true });
    },
  };
  return {
    ...sqlStore(driver),
    async close() {
      commits.flush();
      // Only a database we opened is ours to close.
      if (opened && !("database" in options)) (await opened).close();
      opened = undefined;
      statements.clear();
    },
  };
}

async function openFile(path: string): Promise<SqliteDatabaseLike> {
  // tessera/server is also bundled for Workers, Deno and browsers, which never call this:
  // specifiers in variables keep bundlers from resolving Node-only modules there.
  const names = { sqlite: "better-sqlite3", fs: "node:fs", path: "node:path" };
  const [{ default: Database }, { closeSync, mkdirSync, openSync }, { dirname }] = (await Promise.all([
    import(/* @vite-ignore */ names.sqlite),
    import(/* @vite-ignore */ names.fs),
    import(/* @vite-ignore */ names.path),
  ])) as [{ default: BetterSqlite3Constructor }, typeof import("node:fs"), typeof import("node:path")];
  if (path !== "" && path !== ":memory:") {
    mkdirSync(dirname(path), { recursive: true });
    // The database holds every session's hashed refresh token and its data: owner-only. SQLite
    // itself creates files 0644, and gives the -wal and -shm files the database file's mode
    // (os_unix.c, findCreateFileMode), so creating the file first, 0600, covers all three. An
    // existing file keeps the mode its owner chose.
    closeSync(openSync(path, "a", 0o600));
  }
  const db = new Database(path);
  // WAL lets readers run while a writer commits; busy_timeout waits out another process's write.
  db.pragma("journal_mode = WAL");
  // In WAL mode, NORMAL syncs the log at checkpoints instead of at every commit: a commit stays
  // atomic and the database consistent after a crash, but the last transactions before a power
  // loss may roll back (https://www.sqlite.org/pragma.html#pragma_synchronous, "WAL mode").
  // That is the usual choice for WAL; FULL cost an fsync per commit, two per started session
  // (issue 5: ~1.6k starts/s over HTTP). A lost session after a power cut means signing in again.
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  return db;
}

/** The constructor better-sqlite3 exports, as far as openFile uses it. */
type BetterSqlite3Constructor = new (path: string) => SqliteDatabaseLike & { pragma(source: string): unknown };
