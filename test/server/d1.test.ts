import { Miniflare } from "miniflare";
import { afterAll, beforeAll } from "vitest";
import { d1Store, type D1Like } from "../../src/server/index.js";
import { runStoreConformance } from "./store-suite.js";

// The D1 store against real D1 (workerd's SQLite, through Miniflare's binding proxy).
let mf: Miniflare;
let db: D1Like;
beforeAll(async () => {
  mf = new Miniflare({ modules: true, script: "export default { fetch() { return new Response('') } }", compatibilityDate: "2025-01-01", d1Databases: ["DB"] });
  db = (await mf.getD1Database("DB")) as unknown as D1Like;
});
afterAll(async () => {
  await mf?.dispose();
});

const TABLES = ["tessera_sessions", "tessera_refresh_hashes", "tessera_users", "tessera_activity", "tessera_idempotency"];

runStoreConformance(
  "d1 (miniflare)",
  () => d1Store(db),
  async () => {
    // One database for the whole file: empty it between cases (tables exist after first use).
    await db.batch(TABLES.map((t) => db.prepare(`DELETE FROM ${t}`))).catch(() => {});
  },
);
