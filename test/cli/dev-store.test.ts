import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { recordingDriver, SESSION, unavailable } from "../support/sqlite-probes.ts";
import { openDevStore } from "../../src/cli/dev-store.js";
import { probeBetterSqlite3, probeNodeSqlite } from "../../src/cli/sqlite-driver.js";

// Which store `tessera dev` picks. The drivers are probed through injected functions, so every
// branch runs here on Node 20 (which has no node:sqlite); node:sqlite itself runs the store
// suite in Deno (test/runtimes/deno/node_sqlite_test.ts).
const dir = mkdtempSync(join(tmpdir(), "tessera-dev-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => join(dir, `run-${++n}`, "sessions.db");

const none = unavailable;
const opened: string[] = [];
const fake = (name: string) => recordingDriver(opened, name);

describe("openDevStore", () => {
  it("uses better-sqlite3 when it loads, before node:sqlite, and opens the file only on first use", async () => {
    const path = file();
    const dev = await openDevStore(path, { "better-sqlite3": fake("b"), "node:sqlite": fake("n") });
    expect(dev.kind).toBe("better-sqlite3");
    expect(dev.line).toBe(`SQLite (better-sqlite3), ${path}`);
    expect(existsSync(path)).toBe(false);
    await dev.store.createSession(SESSION);
    expect(opened).toContain(`b:${path}`);
    expect(opened.some((o) => o.startsWith("n:"))).toBe(false);
    await dev.store.close();
    // Persistent: a second run reads what the first wrote.
    const again = await openDevStore(path, { "better-sqlite3": fake("b"), "node:sqlite": none });
    expect(await again.store.getSession("s1")).toMatchObject({ id: "s1", identifier: "u" });
    await again.store.close();
  });

  it("uses node:sqlite when better-sqlite3 is missing", async () => {
    const path = file();
    const dev = await openDevStore(path, { "better-sqlite3": none, "node:sqlite": fake("n") });
    expect(dev.kind).toBe("node:sqlite");
    expect(dev.line).toBe(`SQLite (node:sqlite), ${path}`);
    await dev.store.createSession(SESSION);
    expect(opened).toContain(`n:${path}`);
    await dev.store.close();
  });

  it("falls back to memory with one line saying how to keep sessions, and writes no file", async () => {
    const path = file();
    const dev = await openDevStore(path, { "better-sqlite3": none, "node:sqlite": none });
    expect(dev.kind).toBe("memory");
    expect(dev.line).toMatch(/^in memory: .*npm i better-sqlite3/);
    expect(dev.line).not.toContain("\n");
    await dev.store.createSession(SESSION);
    expect(await dev.store.getSession("s1")).toMatchObject({ id: "s1" });
    await dev.store.close();
    expect(existsSync(path)).toBe(false);
  });
});

describe("the real probes on this Node", () => {
  it("finds better-sqlite3 (a devDependency here) and opens a working database", async () => {
    const open = await probeBetterSqlite3();
    expect(open).not.toBeNull();
    const db = open!(":memory:");
    expect(db.prepare("SELECT 1 AS one").all()).toEqual([{ one: 1 }]);
    db.close();
  });

  it("finds node:sqlite exactly when the runtime has it", async () => {
    const open = await probeNodeSqlite();
    expect(open !== null).toBe(isBuiltin("node:sqlite") && !process.execArgv.includes("--no-experimental-sqlite"));
  });
});
