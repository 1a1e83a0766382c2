import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { memoryStore, sqliteStore } from "../server/index.js";
import { nodeSqliteDatabase, type DatabaseSyncLike } from "../server/stores/node-sqlite.js";
import type { SqliteDatabaseLike } from "../server/stores/sqlite-database.js";
import type { SessionStore } from "../server/stores/types.js";

export type DevStoreKind = "better-sqlite3" | "node:sqlite" | "memory";

/** A SQLite driver that loads and opens a database here, or why not. */
export type DriverProbe = () => Promise<((path: string) => SqliteDatabaseLike) | null>;

export interface DevStore {
  kind: DevStoreKind;
  store: SessionStore & { close(): Promise<void> };
  /** The one line `tessera dev` prints about where sessions live. */
  line: string;
}

/**
 * `tessera dev`'s store: better-sqlite3 when the project has it (the user chose it, and it is
 * the driver the repository's tests and benchmarks run), else `node:sqlite` where the runtime
 * has it (Node >= 22.5, unflagged from 22.13), else memory, so that `npx tessera dev` in a
 * fresh project serves at once instead of failing on a missing native module. The database file
 * is opened on first use (runDev's first purge), after the config has been accepted.
 */
export async function openDevStore(
  databaseFile: string,
  probes: Record<Exclude<DevStoreKind, "memory">, DriverProbe> = { "better-sqlite3": probeBetterSqlite3, "node:sqlite": probeNodeSqlite },
): Promise<DevStore> {
  for (const kind of ["better-sqlite3", "node:sqlite"] as const) {
    const open = await probes[kind]();
    if (!open) continue;
    const db = openedOnFirstUse(() => {
      mkdirSync(dirname(databaseFile), { recursive: true });
      // Created 0600 before SQLite opens it, as sqliteStore({ path }) does (sqlite.ts says why):
      // it holds every session, and SQLite gives the -wal and -shm files the same mode.
      closeSync(openSync(databaseFile, "a", 0o600));
      return open(databaseFile);
    });
    const store = sqliteStore({ database: db });
    return {
      kind,
      store: { ...store, close: async () => (await store.close(), void db.close()) },
      line: `SQLite (${kind}), ${databaseFile}`,
    };
  }
  return {
    kind: "memory",
    store: { ...memoryStore(), close: async () => {} },
    line: "in memory: sessions end when tessera dev stops (npm i better-sqlite3 to keep them)",
  };
}

function openedOnFirstUse(open: () => SqliteDatabaseLike): SqliteDatabaseLike {
  let db: SqliteDatabaseLike | undefined;
  const get = () => (db ??= open());
  return {
    prepare: (sql) => get().prepare(sql),
    transaction: (run) => get().transaction(run),
    close: () => {
      db?.close();
      db = undefined;
    },
  };
}

// Specifiers in variables: a missing module is an answer here, not a build or load error.
const names = { betterSqlite3: "better-sqlite3", nodeSqlite: "node:sqlite" };

// WAL, NORMAL and busy_timeout as sqliteStore({ path }) sets them (src/server/stores/sqlite.ts says why).
const PRAGMAS = ["journal_mode = WAL", "synchronous = NORMAL", "busy_timeout = 5000"];

/** better-sqlite3 installed and its native addon built (npm 11 skips install scripts by default). */
export const probeBetterSqlite3: DriverProbe = async () => {
  type Database = SqliteDatabaseLike & { pragma(source: string): unknown };
  let Database: new (path: string) => Database;
  try {
    Database = ((await import(names.betterSqlite3)) as { default: typeof Database }).default;
    new Database(":memory:").close(); // the addon loads on first open, not at import
  } catch {
    return null;
  }
  return (path) => {
    const db = new Database(path);
    for (const pragma of PRAGMAS) db.pragma(pragma);
    return db;
  };
};

/** node:sqlite: Node >= 22.5 (behind --experimental-sqlite before 22.13), Deno. */
export const probeNodeSqlite: DriverProbe = async () => {
  let DatabaseSync: new (path: string) => DatabaseSyncLike;
  try {
    ({ DatabaseSync } = (await import(names.nodeSqlite)) as { DatabaseSync: typeof DatabaseSync });
    new DatabaseSync(":memory:").close();
  } catch {
    return null;
  }
  return (path) => {
    const db = new DatabaseSync(path);
    for (const pragma of PRAGMAS) db.exec(`PRAGMA ${pragma}`);
    return nodeSqliteDatabase(db);
  };
};
