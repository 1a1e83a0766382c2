import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { d1Store, type D1Like } from "../../../src/server/index.js";
import { SCHEMA } from "../../../src/server/stores/sql-schema.js";
import { cloudflareKVStorage, type KVNamespaceLike } from "../../../src/storage/index.js";
import { runStoreConformance } from "../../server/store-suite.js";
import { describeStorage } from "../../storage/storage-suite.js";

// The conformance suites on workerd's real bindings, driven from Node through Miniflare:
// the server store on a D1 whose tables come from the Worker example's migration, and the
// client storage adapter on a KV namespace.
// Every migration, in order, as `wrangler d1 migrations apply` runs them.
const MIGRATIONS_DIR = join(import.meta.dirname, "../../../examples/cloudflare-worker/migrations");
const MIGRATION = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith(".sql")).sort().map((f) => readFileSync(join(MIGRATIONS_DIR, f), "utf8")).join("\n");
const statements = (sql: string) => sql.replace(/^--.*$/gm, "").split(";").map((s) => s.replace(/\s+/g, " ").trim()).filter(Boolean);
const TABLES = ["tessera_sessions", "tessera_refresh_hashes", "tessera_users", "tessera_activity", "tessera_idempotency", "tessera_dpop_keys", "tessera_dpop_proofs"];

let mf: Miniflare;
let db: D1Like;
let kv: KVNamespaceLike;

beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('') } }",
    compatibilityDate: "2025-01-01",
    d1Databases: ["DB"],
    kvNamespaces: ["TOKENS"],
  });
  db = (await mf.getD1Database("DB")) as unknown as D1Like;
  kv = (await mf.getKVNamespace("TOKENS")) as unknown as KVNamespaceLike;
  // What `wrangler d1 migrations apply` does: the migration's statements, in one batch.
  await db.batch(statements(MIGRATION).map((sql) => db.prepare(sql)));
}, 60_000);
afterAll(async () => {
  await mf?.dispose();
});

describe("examples/cloudflare-worker/migrations/*.sql", () => {
  it("is the D1 store's schema, statement for statement (no drift)", () => {
    expect(statements(MIGRATION)).toEqual(SCHEMA.map((sql) => sql.replace(/\s+/g, " ").trim()));
  });

  it("created every table in D1", async () => {
    const { results } = await db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'tessera_%' ORDER BY name").bind().all();
    expect(results?.map((row) => row.name)).toEqual([...TABLES].sort());
  });
});

runStoreConformance(
  "d1Store on the Worker example's migrated D1 (workerd)",
  () => d1Store(db),
  async () => {
    await db.batch(TABLES.map((t) => db.prepare(`DELETE FROM ${t}`)));
  },
);

let n = 0;
describeStorage("cloudflareKVStorage (workerd KV)", () => cloudflareKVStorage(kv, { prefix: `suite-${++n}/` }));
