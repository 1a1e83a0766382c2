import { memoryStore } from "../server/index.js";
import { sqliteFileStore } from "../server/stores/sqlite.js";
import type { SessionStore } from "../server/stores/types.js";
import { DRIVER_PROBES, pickSqliteDriver, sqliteLine, type DriverProbes } from "./sqlite-driver.js";

export type DevStoreKind = "better-sqlite3" | "node:sqlite" | "memory";

export interface DevStore {
  kind: DevStoreKind;
  store: SessionStore & { close(): Promise<void> };
  /** The one line `tessera dev` prints about where sessions live. */
  line: string;
}

/**
 * `tessera dev`'s store: SQLite with the driver sqlite-driver.ts picks (better-sqlite3, else
 * node:sqlite), else memory, so that `npx tessera dev` in a fresh project serves at once instead
 * of failing on a missing native module. The database file is opened on first use (runDev's
 * first purge), after the config has been accepted.
 */
export async function openDevStore(databaseFile: string, probes: DriverProbes = DRIVER_PROBES): Promise<DevStore> {
  const driver = await pickSqliteDriver(probes);
  if (driver) return { kind: driver.kind, store: sqliteFileStore(databaseFile, driver.open), line: sqliteLine(driver, databaseFile) };
  return {
    kind: "memory",
    store: { ...memoryStore(), close: async () => {} },
    line: "in memory: sessions end when tessera dev stops (npm i better-sqlite3 to keep them)",
  };
}
