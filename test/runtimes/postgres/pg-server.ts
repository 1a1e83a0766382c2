import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);
const script = resolve(import.meta.dirname, "../../../scripts/pg-test-server.sh");

export interface PgServer {
  /** Null when PostgreSQL is not installed here: the caller skips and says why. */
  url: string | null;
  reason?: string;
  stop(): Promise<void>;
}

/**
 * The PostgreSQL the tests use: `TESSERA_PG_URL` (set by .ci/run), else a throwaway server
 * started by scripts/pg-test-server.sh and stopped again only if this run started it.
 */
export async function pgServer(): Promise<PgServer> {
  const fromEnv = process.env.TESSERA_PG_URL;
  if (fromEnv) return { url: fromEnv, stop: async () => {} };
  const expected = `postgres://postgres@127.0.0.1:${process.env.TESSERA_PG_PORT ?? 54329}/postgres`;
  if (await reachable(expected)) return { url: expected, stop: async () => {} };
  try {
    const { stdout } = await run(script, ["start"]);
    return { url: stdout.trim(), stop: async () => void (await run(script, ["stop"])) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 3) return { url: null, reason: "PostgreSQL is not installed (apt-get install postgresql; .ci/run does)", stop: async () => {} };
    throw error;
  }
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}
