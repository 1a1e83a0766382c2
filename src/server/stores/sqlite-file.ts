import { nodeSqliteDatabase, type DatabaseSyncLike } from "./node-sqlite.js";
import type { SqliteDatabaseLike } from "./sqlite-database.js";

/** The SQLite drivers tessera opens files with on its own: better-sqlite3, and Node's built-in node:sqlite (Node >= 22.5). */
export type SqliteDriverName = "better-sqlite3" | "node:sqlite";

/** A driver's bare open: a handle on `path` with nothing set yet, and a way to run a statement. */
export type SqliteFileOpener = (path: string) => SqliteDatabaseLike & { exec(sql: string): unknown };

// tessera/server is also bundled for Workers, Deno and browsers, which never call this file:
// specifiers in variables keep bundlers from resolving Node-only modules there, and make a
// missing driver an error at run time, not at load time.
const names = { "better-sqlite3": "better-sqlite3", "node:sqlite": "node:sqlite", fs: "node:fs", path: "node:path" };

/** Imports a driver; throws when it is not installed (better-sqlite3) or the runtime lacks it (node:sqlite). */
export async function loadSqliteDriver(name: SqliteDriverName): Promise<SqliteFileOpener> {
  if (name === "better-sqlite3") {
    const { default: Database } = (await import(/* @vite-ignore */ names[name])) as { default: new (path: string) => ReturnType<SqliteFileOpener> };
    return (path) => new Database(path);
  }
  const { DatabaseSync } = (await import(/* @vite-ignore */ names[name])) as { DatabaseSync: new (path: string) => DatabaseSyncLike };
  return (path) => {
    const db = new DatabaseSync(path);
    return { ...nodeSqliteDatabase(db), exec: (sql: string) => db.exec(sql) };
  };
}

/**
 * Opens a database file the way docs/runtimes.md and docs/deploy.md describe, whichever the
 * driver: the file created owner-only first, WAL, synchronous=NORMAL and a 5 s busy timeout.
 */
export async function openSqliteFile(path: string, open: SqliteFileOpener): Promise<SqliteDatabaseLike> {
  if (path !== "" && path !== ":memory:") {
    const [{ closeSync, mkdirSync, openSync }, { dirname }] = (await Promise.all([
      import(/* @vite-ignore */ names.fs),
      import(/* @vite-ignore */ names.path),
    ])) as [typeof import("node:fs"), typeof import("node:path")];
    mkdirSync(dirname(path), { recursive: true });
    // The database holds every session's hashed refresh token and its data: owner-only. SQLite
    // itself creates files 0644, and gives the -wal and -shm files the database file's mode
    // (os_unix.c, findCreateFileMode), so creating the file first, 0600, covers all three. An
    // existing file keeps the mode its owner chose.
    closeSync(openSync(path, "a", 0o600));
  }
  const db = open(path);
  // WAL lets readers run while a writer commits; busy_timeout waits out another process's write
  // (several workers share the file).
  db.exec("PRAGMA journal_mode = WAL");
  // In WAL mode, NORMAL syncs the log at checkpoints instead of at every commit: a commit stays
  // atomic and the database consistent after a crash, but the last transactions before a power
  // loss may roll back (https://www.sqlite.org/pragma.html#pragma_synchronous, "WAL mode").
  // That is the usual choice for WAL; FULL cost an fsync per commit, two per started session
  // (~1.6k starts/s over HTTP with it). A lost session after a power cut means signing in again.
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA busy_timeout = 5000");
  return db;
}
