import { memoryStore, postgresStore, type SessionStore } from "../../server/index.js";
import { sqliteFileStore } from "../../server/stores/sqlite.js";
import { CliError } from "../cli-error.js";
import { DRIVER_PROBES, pickSqliteDriver, sqliteLine, type DriverProbes } from "../sqlite-driver.js";

export const DEFAULT_STORE = "sqlite:./sessions.db";

export interface OpenedStore {
  store: SessionStore;
  /** For logs: the kind (for SQLite, the driver) and, for files, the path; never a password. */
  describe: string;
  /** Several processes may share it (not memory:). */
  shared: boolean;
  close(): Promise<void>;
}

/**
 * The store named by a URL: `sqlite:<path>` (better-sqlite3, else node:sqlite: sqlite-driver.ts),
 * `postgres://` or `postgresql://` (pg, an optional peer, loaded on first use, so a missing one
 * is reported at the start-up check), `memory:` (lost at exit: for trials only).
 */
export async function storeFromUrl(url: string, probes: DriverProbes = DRIVER_PROBES): Promise<OpenedStore> {
  if (url === "memory:") {
    const store = memoryStore();
    return { store, describe: "memory", shared: false, close: async () => {} };
  }
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (path === "") throw new CliError("--store sqlite: needs a file path, e.g. sqlite:./sessions.db");
    const driver = await pickSqliteDriver(probes);
    if (!driver) throw new CliError("--store sqlite: needs better-sqlite3 (npm i better-sqlite3) or a runtime with node:sqlite (Node >= 22.13)");
    const store = sqliteFileStore(path, driver.open);
    return { store, describe: sqliteLine(driver, path), shared: path !== ":memory:", close: () => store.close() };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    let host: string;
    try {
      host = new URL(url).host;
    } catch {
      throw new CliError("--store: not a valid postgres:// URL");
    }
    const store = postgresStore({ connectionString: url });
    return { store, describe: `postgres ${host}`, shared: true, close: () => store.close() };
  }
  // Never echo the value: a database URL may hold a password.
  throw new CliError("--store must be sqlite:<path>, postgres://... or memory:");
}
