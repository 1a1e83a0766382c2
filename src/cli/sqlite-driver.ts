import { loadSqliteDriver, type SqliteDriverName, type SqliteFileOpener } from "../server/stores/sqlite-file.js";

/** A SQLite driver that loads and opens a database here, or null. */
export type DriverProbe = () => Promise<SqliteFileOpener | null>;

export interface SqliteDriver {
  kind: SqliteDriverName;
  open: SqliteFileOpener;
}

/** Loaded and able to open a database: better-sqlite3's native addon loads on the first open, not at import (npm 11 skips install scripts by default). */
const probe =
  (name: SqliteDriverName): DriverProbe =>
  async () => {
    try {
      const open = await loadSqliteDriver(name);
      open(":memory:").close();
      return open;
    } catch {
      return null;
    }
  };

/** better-sqlite3 installed and its addon built. */
export const probeBetterSqlite3 = probe("better-sqlite3");
/** node:sqlite: Node >= 22.5 (behind --experimental-sqlite before 22.13), Deno. */
export const probeNodeSqlite = probe("node:sqlite");

export type DriverProbes = Record<SqliteDriverName, DriverProbe>;
export const DRIVER_PROBES: DriverProbes = { "better-sqlite3": probeBetterSqlite3, "node:sqlite": probeNodeSqlite };

/**
 * The driver `tessera dev` and `tessera serve` open SQLite files with: better-sqlite3 when the
 * project has it (the user chose it, and it is the driver the repository's tests and benchmarks
 * run), else node:sqlite where the runtime has it, so that a project without the native module
 * still gets a SQLite file. Null when neither loads.
 */
export async function pickSqliteDriver(probes: DriverProbes = DRIVER_PROBES): Promise<SqliteDriver | null> {
  for (const kind of ["better-sqlite3", "node:sqlite"] as const) {
    const open = await probes[kind]();
    if (open) return { kind, open };
  }
  return null;
}

/** The one line both commands print about a SQLite store: the driver and the file. */
export const sqliteLine = (driver: SqliteDriver, path: string) => `SQLite (${driver.kind}), ${path}`;
