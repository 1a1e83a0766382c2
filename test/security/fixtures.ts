/**
 * Shared by the security and reliability suites: a server over an in-memory SQLite database
 * whose every table can be dumped, snapshots of a memory store through its own queries, and
 * a check that no prototype was polluted.
 */
import Database from "better-sqlite3";
import { ERROR_STATUS } from "../../src/shared/errors.js";
import { memoryStore, sqliteStore, type SessionStore } from "../../src/server/index.js";
import { PRODUCTS } from "../server/helpers.js";

const TABLES = ["tessera_sessions", "tessera_refresh_hashes", "tessera_users", "tessera_activity", "tessera_idempotency"];

export interface Snapshotting {
  store: SessionStore;
  /** Everything the store holds, as one comparable string. */
  snapshot(): Promise<string>;
}

/** SQLite in memory: the snapshot is every row of every table. */
export function sqliteSnapshotting(): Snapshotting & { db: Database.Database } {
  const db = new Database(":memory:");
  const store = sqliteStore({ database: db });
  return {
    db,
    store,
    async snapshot() {
      await store.getSession("warm-up"); // creates the schema on first use
      return JSON.stringify(TABLES.map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()));
    },
  };
}

/** The memory store seen through its own list methods, for every configured scope. */
export function memorySnapshotting(): Snapshotting {
  const store = memoryStore();
  return {
    store,
    async snapshot() {
      const parts: unknown[] = [];
      for (const product of PRODUCTS) {
        for (const env of product.envs) {
          for (const session of product.sessions) {
            const scope = { product: product.tag, env, tag: session.tag };
            const sessions = await store.listSessions({ ...scope, activeOnly: false, now: 0, offset: 0, limit: 1e9 });
            const users = await store.listUsers({ scopes: [{ product: product.tag, env }], tag: session.tag, now: 0, offset: 0, limit: 1e9, scanLimit: 1e9 });
            const activity = await Promise.all(
              users.users.map((u) => store.listActivity({ identifier: u.identifier, scopes: [{ product: scope.product, env }], offset: 0, limit: 1e9 })),
            );
            parts.push(sessions, users, activity);
          }
        }
      }
      return JSON.stringify(parts);
    },
  };
}

const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype).sort().join(",");

/** True when Object.prototype and Array.prototype are as they were and `{}` has no stray property. */
export function prototypesIntact(): boolean {
  const probe = {} as Record<string, unknown>;
  return (
    Object.getOwnPropertyNames(Object.prototype).sort().join(",") === PROTO_NAMES &&
    probe.polluted === undefined &&
    probe.isAdmin === undefined &&
    ([] as unknown as Record<string, unknown>).polluted === undefined
  );
}

/** The shape every error answer must have: `{ error: { code, message } }` with a known code and its status. */
export function isErrorBody(body: unknown, status: number): boolean {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return (
    typeof error === "object" &&
    error !== null &&
    typeof error.code === "string" &&
    Object.prototype.hasOwnProperty.call(ERROR_STATUS, error.code) &&
    ERROR_STATUS[error.code as keyof typeof ERROR_STATUS] === status &&
    typeof error.message === "string" &&
    error.message.length > 0
  );
}
