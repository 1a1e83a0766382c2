import Database from "better-sqlite3";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSqliteDriver, openSqliteFile, type SqliteFileOpener } from "../../src/server/stores/sqlite-file.ts";

// The one place a SQLite file is opened (sqliteStore({ path }), tessera dev, tessera serve),
// whichever driver: the settings docs/deploy.md promises. node:sqlite gets the same checks in
// Deno (test/runtimes/deno/node_sqlite_test.ts); Node 20 has no node:sqlite.
const dir = mkdtempSync(join(tmpdir(), "tessera-sqlite-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pragma = (db: Database.Database, name: string) => db.pragma(name, { simple: true });

describe("openSqliteFile", () => {
  it("creates the file 0600 in a new folder, then opens it with WAL, synchronous NORMAL and a 5 s busy timeout", async () => {
    const path = join(dir, "new", "sessions.db");
    const db = (await openSqliteFile(path, await loadSqliteDriver("better-sqlite3"))) as unknown as Database.Database;
    db.exec("CREATE TABLE t (x)");
    expect([pragma(db, "journal_mode"), pragma(db, "synchronous"), pragma(db, "busy_timeout")]).toEqual(["wal", 1, 5000]);
    for (const suffix of ["", "-wal", "-shm"]) expect((statSync(path + suffix).mode & 0o777).toString(8), suffix).toBe("600");
    db.close();
  });

  it("keeps the mode of an existing file, and runs the pragmas through whichever driver opens it", async () => {
    const path = join(dir, "existing.db");
    writeFileSync(path, "", { mode: 0o640 });
    const statements: string[] = [];
    const recording: SqliteFileOpener = (file) => {
      const db = new Database(file);
      const exec = db.exec.bind(db);
      return Object.assign(db, { exec: (sql: string) => (statements.push(sql), exec(sql)) });
    };
    const db = await openSqliteFile(path, recording);
    expect(statements).toEqual(["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA busy_timeout = 5000"]);
    expect((statSync(path).mode & 0o777).toString(8)).toBe("640");
    db.close();
  });

  it("creates no file for :memory:", async () => {
    const db = await openSqliteFile(":memory:", await loadSqliteDriver("better-sqlite3"));
    expect(db.prepare("SELECT 1 AS one").all()).toEqual([{ one: 1 }]);
    db.close();
  });
});
