import { configError } from "../config/config-error.js";
import { SCHEMA, SQL } from "./sql-schema.js";
import { sqlStore, type SqlDriver, type SqlValue } from "./sql-store.js";
import type { SessionStore } from "./types.js";

/** The part of a `pg.Pool` this store uses (no dependency on @types/pg in our published types). */
export interface PgPoolLike {
  query(text: string, values?: unknown[]): Promise<PgResultLike>;
  connect(): Promise<PgClientLike>;
  end(): Promise<void>;
}
export interface PgClientLike {
  query(text: string, values?: unknown[]): Promise<PgResultLike>;
  release(error?: Error | boolean): void;
}
export interface PgResultLike {
  rows: Record<string, unknown>[];
  rowCount: number | null;
}

export type PostgresStoreOptions = (
  | { pool: PgPoolLike }
  | { connectionString: string; /** Pool size (default 10). */ max?: number }
) & {
  /** PostgreSQL schema holding the tables, created if missing (default `public`). */
  schema?: string;
};

const TABLE = /\btessera_(sessions|refresh_hashes|users|activity|idempotency|dpop_keys|dpop_proofs)\b/g;
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * PostgreSQL through `pg` (an optional peer dependency, loaded on first use): the store for
 * fleets of Node servers sharing one database. It speaks the shared SQLite-dialect SQL
 * (sql-schema.ts), translated once per statement; only the rotation is written for PostgreSQL.
 */
export function postgresStore(options: PostgresStoreOptions): SessionStore & { close(): Promise<void> } {
  const schema = options.schema ?? "public";
  if (typeof schema !== "string" || !IDENTIFIER.test(schema)) {
    throw configError("schema", "must be a lowercase SQL identifier (letters, digits, _)");
  }
  const owned = !("pool" in options);
  if (owned && (typeof options.connectionString !== "string" || options.connectionString === "")) {
    throw configError("connectionString", "postgresStore needs { pool } or { connectionString }");
  }
  if (owned && options.max !== undefined && !(Number.isInteger(options.max) && options.max > 0)) {
    throw configError("max", "must be a positive integer (pool size)");
  }
  let opened: Promise<PgPoolLike> | undefined;
  const pool = () => (opened ??= "pool" in options ? Promise.resolve(options.pool) : openPool(options.connectionString, options.max));

  const cache = new Map<string, string>();
  const pgSql = (sql: string) => {
    let text = cache.get(sql);
    if (text === undefined) {
      text = translate(sql, schema);
      cache.set(sql, text);
    }
    return text;
  };

  // The schema is made once per store, before anything else reaches the database; sqlStore's
  // own first-use batch of CREATE statements lands here too and is answered by the same promise.
  let ready: Promise<void> | undefined;
  const createSchema = () => (ready ??= pool().then((p) => transaction(p, async (client) => {
    // Servers starting together would race CREATE TABLE IF NOT EXISTS (a duplicate pg_type
    // row): a transaction-scoped advisory lock makes schema creation one at a time.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`tessera schema ${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    for (const sql of SCHEMA) await client.query(schemaSql(sql, schema));
  })).catch((error) => {
    ready = undefined;
    throw error;
  }));
  const query = async (sql: string, params: SqlValue[]) => {
    await createSchema();
    return (await pool()).query(pgSql(sql), params);
  };

  const driver: SqlDriver = {
    async all(sql, params) {
      return (await query(sql, params)).rows;
    },
    async batch(list) {
      if (list.every((s) => s.sql.startsWith("CREATE "))) return createSchema().then(() => list.map(() => 0));
      await createSchema();
      if (list.length === 1) return [(await query(list[0]!.sql, list[0]!.params)).rowCount ?? 0];
      return transaction(await pool(), async (client) => {
        const counts: number[] = [];
        for (const { sql, params } of list) counts.push((await client.query(pgSql(sql), params)).rowCount ?? 0);
        return counts;
      });
    },
  };
  const store = sqlStore(driver);

  // The compare-and-set in one statement: the UPDATE applies only while the row still holds
  // the expected hash (a concurrent UPDATE waits for the row lock, then re-checks its WHERE
  // against the committed row, so exactly one wins), and the new hash is registered only from
  // the row it RETURNED.
  const rotate = `WITH moved AS (${SQL.rotate} RETURNING id, refresh_hash, generation)
    INSERT INTO tessera_refresh_hashes (hash, session_id, generation) SELECT refresh_hash, id, generation FROM moved`;

  return {
    ...store,
    async rotateRefresh(r) {
      const params: SqlValue[] = [r.nextHash, r.nextGeneration, r.rotatedAt, r.refreshExpiresAt, r.sealedPair,
        r.sessionId, r.expectedHash, r.nextGeneration - 1];
      return (await query(rotate, params)).rowCount === 1;
    },
    async close() {
      // Only a pool we opened is ours to end.
      if (owned && opened) await (await opened).end();
      opened = undefined;
      ready = undefined;
    },
  };
}

/** SQLite dialect to PostgreSQL: numbered placeholders, scalar min/max, collation, tables in the schema. */
function translate(sql: string, schema: string): string {
  let n = 0;
  return sql
    .replace(/\?/g, () => `$${++n}`)
    .replace(/\bmax\(/g, "greatest(")
    .replace(/\bmin\(/g, "least(")
    // Byte order, as SQLite's BINARY: the identifier index's prefix ranges (sql-schema.ts).
    .replace(/COLLATE BINARY/g, 'COLLATE "C"')
    .replace(TABLE, `"${schema}".$&`);
}

/** Millisecond times overflow a 32-bit INTEGER: BIGINT, and an identity column for the sequence. */
function schemaSql(sql: string, schema: string): string {
  return translate(sql, schema)
    .replace(/INTEGER PRIMARY KEY AUTOINCREMENT/g, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
    .replace(/\bINTEGER\b/g, "BIGINT");
}

async function transaction<T>(pool: PgPoolLike, fn: (client: PgClientLike) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    client.release();
    return result;
  } catch (error) {
    // A connection whose ROLLBACK failed is broken: hand it back to be discarded.
    const broken = await client.query("ROLLBACK").then(() => false, () => true);
    client.release(broken);
    throw error;
  }
}

async function openPool(connectionString: string, max = 10): Promise<PgPoolLike> {
  // tessera/server is also bundled for Workers, Deno and browsers, which never call this:
  // a specifier in an object property keeps bundlers from resolving `pg` there. Not a plain
  // `const`: esbuild --minify inlines that into import("pg") and then fails on pg's Node
  // built-ins (issue 5, found bundling the Worker for the cold-start bench).
  const names = { pg: "pg" };
  const pg = (await import(/* @vite-ignore */ names.pg)) as { default?: { Pool: PoolCtor }; Pool?: PoolCtor };
  const Pool = (pg.default ?? pg).Pool as PoolCtor;
  const pool = new Pool({ connectionString, max });
  // pg emits "error" when an IDLE connection dies (database restart, network cut); unhandled,
  // that event would crash the process. pg drops the dead client; the next query reconnects.
  pool.on("error", () => {});
  return pool;
}
type PoolCtor = new (config: { connectionString: string; max: number }) => PgPoolLike & { on(event: "error", listener: () => void): unknown };
