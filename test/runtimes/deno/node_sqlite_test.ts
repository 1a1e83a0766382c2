/// <reference lib="deno.ns" />
import { sqliteStore } from "../../../src/server/index.ts";
import { nodeSqliteDatabase, type DatabaseSyncLike } from "../../../src/server/stores/node-sqlite.ts";
import { runStoreConformance } from "../../server/store-suite.ts";

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
