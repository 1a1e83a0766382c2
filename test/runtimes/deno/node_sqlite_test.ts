/// <reference lib="deno.ns" />
import { sqliteStore } from "../../../src/server/index.ts";
import { nodeSqliteDatabase, type DatabaseSyncLike } from "../../../src/server/stores/node-sqlite.ts";
import { sqliteFileStore } from "../../../src/server/stores/sqlite.ts";
import { loadSqliteDriver, openSqliteFile } from "../../../src/server/stores/sqlite-file.ts";
import { runStoreConformance } from "../../server/store-suite.ts";
import { expect } from "vitest";

const SESSION = {
  id: "s1", product: "p", env: "e", tag: "t", identifier: "u", data: "jwe", createdAt: 1, refreshExpiresAt: 2,
  revokedAt: null, refreshHash: "h", generation: 0, rotatedAt: null, sealedPair: null,
};

// `tessera dev` uses node:sqlite on runtimes that have it (Node >= 22.5). The repository's
// Node is 20, which has not; Deno implements node:sqlite, so the store conformance suite
// (rotation compare-and-set, the group commit's per-batch savepoints) runs on it here.
// Imported by a variable: the repository's @types/node (20) declares no node:sqlite.
const specifier = "node:sqlite";
const { DatabaseSync } = (await import(specifier)) as { DatabaseSync: new (path: string) => DatabaseSyncLike };
const opened: DatabaseSyncLike[] = [];
runStoreConformance(
  "sqliteStore over node:sqlite (DatabaseSync)",
  () => {
    const db = new DatabaseSync(":memory:");
    opened.push(db);
    return sqliteStore({ database: nodeSqliteDatabase(db) });
  },
  async () => opened.pop()?.close(),
);

// The one file-opening path (sqlite-file.ts) over node:sqlite: what tessera dev and tessera serve
// fall back to without better-sqlite3. Same settings as with better-sqlite3 (test/server/sqlite-file.test.ts).
Deno.test("openSqliteFile over node:sqlite: a 0600 file, WAL, synchronous NORMAL, 5 s busy timeout; a file store keeps sessions", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tessera-node-sqlite-" });
  try {
    const path = `${dir}/data/sessions.db`;
    const db = await openSqliteFile(path, await loadSqliteDriver("node:sqlite"));
    const value = (sql: string) => Object.values(db.prepare(sql).all()[0] as Record<string, unknown>)[0];
    expect([value("PRAGMA journal_mode"), value("PRAGMA synchronous"), value("PRAGMA busy_timeout")]).toEqual(["wal", 1, 5000]);
    db.close();
    expect(((await Deno.stat(path)).mode! & 0o777).toString(8)).toBe("600");

    const store = sqliteFileStore(path, await loadSqliteDriver("node:sqlite"));
    await store.createSession(SESSION);
    await store.close();
    const again = sqliteFileStore(path, await loadSqliteDriver("node:sqlite"));
    expect(await again.getSession("s1")).toMatchObject({ id: "s1", identifier: "u" });
    await again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
