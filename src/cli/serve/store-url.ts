import { memoryStore, postgresStore, sqliteStore, type SessionStore } from "../../server/index.js";
import { CliError } from "../cli-error.js";

export const DEFAULT_STORE = "sqlite:./sessions.db";

export interface OpenedStore {
  store: SessionStore;
  /** For logs: the kind and, for files, the path; never a password. */
  describe: string;
  /** Several processes may share it (not memory:). */
  shared: boolean;
  close(): Promise<void>;
}

/**
 * The store named by a URL: `sqlite:<path>` (better-sqlite3), `postgres://` or `postgresql://`
 * (pg, an optional peer), `memory:` (lost at exit: for trials only). The drivers are loaded on
 * first use, so `tessera serve` reports a missing driver at its start-up check.
 */
export function storeFromUrl(url: string): OpenedStore {
  if (url === "memory:") {
    const store = memoryStore();
    return { store, describe: "memory", shared: false, close: async () => {} };
  }
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (path === "") throw new CliError("--store sqlite: needs a file path, e.g. sqlite:./sessions.db");
    const store = sqliteStore({ path });
    return { store, describe: `sqlite ${path}`, shared: path !== ":memory:", close: () => store.close() };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    let host: string;
    try {
      host = new URL(url).host;
    } catch {
      throw new CliError("--store: not a valid postgres:// URL");
    }
    const store = postgresStore({ connectionString: url });
    return { store, describe: `postgres ${host}`, shared: true, close: () => store.close() };
  }
  // Never echo the value: a database URL may hold a password.
  throw new CliError("--store must be sqlite:<path>, postgres://... or memory:");
}
