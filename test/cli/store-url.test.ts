import Database from "better-sqlite3";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { recordingDriver, SESSION, unavailable } from "../support/sqlite-probes.ts";
import { storeFromUrl } from "../../src/cli/serve/store-url.js";

// `tessera serve --store sqlite:<path>` picks its driver as tessera dev does: better-sqlite3,
// else node:sqlite. Node 20 has no node:sqlite, so the probes are injected here (a better-sqlite3
// handle stands in for it); the real node:sqlite fallback runs in Deno from the packed package
// (test/consumer/cli-deno.test.ts).
const dir = mkdtempSync(join(tmpdir(), "tessera-store-url-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const none = unavailable;
const opened: string[] = [];
const fake = (name: string) => recordingDriver(opened, name);

describe("storeFromUrl(sqlite:...)", () => {
  it("falls back to node:sqlite when better-sqlite3 cannot be loaded, saying so in one line, and opens the file as documented", async () => {
    const path = join(dir, "data", "sessions.db");
    const sqlite = await storeFromUrl(`sqlite:${path}`, { "better-sqlite3": none, "node:sqlite": fake("n") });
    expect(sqlite.describe).toBe(`SQLite (node:sqlite), ${path}`);
    expect(sqlite.shared).toBe(true);
    await sqlite.store.createSession(SESSION);
    expect(opened).toEqual([`n:${path}`]);
    expect(await sqlite.store.getSession("s1")).toMatchObject({ id: "s1", identifier: "u" });
    await sqlite.close();
    expect((statSync(path).mode & 0o777).toString(8)).toBe("600");
    const db = new Database(path, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });

  it("prefers better-sqlite3, as tessera dev does", async () => {
    const path = join(dir, "b.db");
    const store = await storeFromUrl(`sqlite:${path}`, { "better-sqlite3": fake("b"), "node:sqlite": fake("n") });
    expect(store.describe).toBe(`SQLite (better-sqlite3), ${path}`);
    await store.close();
  });

  it("refuses with one line naming both drivers when neither loads", async () => {
    const refused = storeFromUrl(`sqlite:${join(dir, "c.db")}`, { "better-sqlite3": none, "node:sqlite": none });
    await expect(refused).rejects.toThrow(/^--store sqlite: needs better-sqlite3 \(npm i better-sqlite3\) or a runtime with node:sqlite/);
  });
});
