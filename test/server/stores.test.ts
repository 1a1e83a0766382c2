import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { memoryStore, sqliteStore } from "../../src/server/index.js";
import { runStoreConformance } from "./store-suite.js";
import { harness, SCOPE } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runStoreConformance("memory", () => memoryStore());
runStoreConformance("sqlite (better-sqlite3 file)", () => sqliteStore({ path: join(dir, `nested/${++n}.db`) }));
runStoreConformance("sqlite (injected database)", () => sqliteStore({ database: new Database(":memory:") }));

describe("sqliteStore specifics", () => {
  it("keeps sessions across reopening the file and stores no token in clear", async () => {
    const path = join(dir, "reopen.db");
    const first = await harness({ store: sqliteStore({ path }) });
    const started = await first.start();
    const refreshed = (await first.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: started.refreshToken })).body;
    const reopened = sqliteStore({ path });
    const session = await reopened.getSession(started.sessionId);
    expect(session).toMatchObject({ identifier: "1919102009383", generation: 1 });
    const db = new Database(path, { readonly: true });
    const dump = JSON.stringify(db.prepare("SELECT * FROM tessera_sessions").all()) + JSON.stringify(db.prepare("SELECT * FROM tessera_refresh_hashes").all());
    db.close();
    for (const secret of [started.refreshToken, refreshed.refreshToken, refreshed.token.split(":")[1], "feekayo", "fikayo@ductape.app"]) {
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(secret.split(":").pop());
    }
    await reopened.close();
  });

  it("serves the whole flow with 50 concurrent refreshes", async () => {
    const store = sqliteStore({ path: join(dir, "flow.db") });
    const h = await harness({ store });
    const started = await h.start();
    const answers = await Promise.all(Array.from({ length: 50 }, () => h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: started.refreshToken })));
    const ok = answers.filter((a) => a.status === 200);
    expect(new Set(ok.map((a) => a.body.refreshToken)).size).toBe(1);
    for (const a of answers) if (a.status !== 200) expect(a.body.error.code).toBe("REFRESH_REUSED");
    expect((await store.getSession(started.sessionId))?.generation).toBe(1);
    await store.close();
  });
});
