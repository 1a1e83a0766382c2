import Database from "better-sqlite3";
import type { DriverProbe } from "../../src/cli/sqlite-driver.js";

// Injected SQLite driver probes for the store pickers of `tessera dev` and `tessera serve`:
// Node 20 has no node:sqlite, so a better-sqlite3 handle stands in for whichever driver is named.

/** A driver that cannot be loaded. */
export const unavailable: DriverProbe = async () => null;

/** A driver that opens with better-sqlite3 and records `<name>:<path>` in `opened`. */
export const recordingDriver = (opened: string[], name: string): DriverProbe => async () => (path) => (opened.push(`${name}:${path}`), new Database(path));

/** A session row to write through the picked store. */
export const SESSION = {
  id: "s1", product: "p", env: "e", tag: "t", identifier: "u", data: "jwe", createdAt: 1, refreshExpiresAt: 2,
  revokedAt: null, refreshHash: "h", generation: 0, rotatedAt: null, sealedPair: null,
};
