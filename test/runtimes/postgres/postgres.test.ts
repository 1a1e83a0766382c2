import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { postgresStore, type SessionStore } from "../../../src/server/index.ts";
import { harness, SCOPE } from "../../server/helpers.ts";
import { runStoreConformance } from "../../server/store-suite.ts";
import { pgServer } from "./pg-server.ts";

// postgresStore against a real PostgreSQL. Every store gets its own schema, named for this
// run, so parallel runs and reruns on one server never see each other's rows.
const server = await pgServer();
const RUN = `tessera_t${process.pid}_${Date.now().toString(36)}`;
let n = 0;
const schemas: string[] = [];
const nextSchema = () => {
  const schema = `${RUN}_${++n}`;
  schemas.push(schema);
  return schema;
};

if (!server.url) {
  // Locally a machine without PostgreSQL skips (named in the run's summary); CI installs it,
  // so there a missing server fails instead of hiding the suite, as with Chromium.
  if (process.env.CI) throw new Error(`PostgreSQL is required in CI: ${server.reason}`);
  console.warn(`postgresStore tests skipped: ${server.reason}`);
  describe.skip(`postgresStore: skipped, ${server.reason}`, () => {
    it("needs PostgreSQL", () => {});
  });
} else {
  const url = server.url;
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  afterAll(async () => {
    for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
    await server.stop();
  });

  runStoreConformance(
    "postgres (injected pg.Pool)",
    () => postgresStore({ pool, schema: nextSchema() }),
    async (store) => store.close?.(),
  );

  describe("postgresStore specifics", () => {
    it("opens its own pool from a connection string, serves the flow, and ends the pool on close", async () => {
      const app = `tessera_${RUN}`.slice(0, 60);
      const store = postgresStore({ connectionString: `${url}?application_name=${app}`, schema: nextSchema() });
      const h = await harness({ store });
      const started = await h.start();
      const answers = await Promise.all(Array.from({ length: 30 }, () => h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: started.refreshToken })));
      const ok = answers.filter((a) => a.status === 200);
      // The grace window hands every racing caller the one current pair, or reuse is detected.
      expect(ok.length).toBeGreaterThan(0);
      expect(new Set(ok.map((a) => a.body.refreshToken)).size).toBe(1);
      for (const a of answers) if (a.status !== 200) expect(a.body.error.code).toBe("REFRESH_REUSED");
      expect((await store.getSession(started.sessionId))?.generation).toBe(1);
      const count = () => pool.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1", [app]);
      expect((await count()).rows[0].n).toBeGreaterThan(0);
      await store.close();
      await expect.poll(async () => (await count()).rows[0].n).toBe(0);
    });

    it("lets one of many rotations win across servers of a fleet (separate pools, one schema)", async () => {
      const schema = nextSchema();
      const fleet: SessionStore[] = Array.from({ length: 3 }, () => postgresStore({ connectionString: url, max: 5, schema }));
      try {
        // Cold start together: schema creation must not race (CREATE TABLE IF NOT EXISTS is not safe in parallel).
        await Promise.all(fleet.map((s) => s.getSession("none")));
        const T0 = Date.UTC(2026, 0, 1);
        await fleet[0]!.createSession({ id: "s", ...SCOPE, identifier: "u", data: "x", createdAt: T0, refreshExpiresAt: T0 + 9e6,
          revokedAt: null, refreshHash: "h0", generation: 0, rotatedAt: null, sealedPair: null });
        const wins = await Promise.all(Array.from({ length: 45 }, (_, i) => fleet[i % 3]!.rotateRefresh({
          sessionId: "s", expectedHash: "h0", nextHash: `h1-${i}`, nextGeneration: 1, rotatedAt: T0 + 1, refreshExpiresAt: T0 + 9e6, sealedPair: `p${i}` })));
        expect(wins.filter(Boolean)).toHaveLength(1);
        const winner = wins.indexOf(true);
        expect(await fleet[2]!.getSession("s")).toMatchObject({ refreshHash: `h1-${winner}`, generation: 1, sealedPair: `p${winner}` });
        const registered = await pool.query(`SELECT hash FROM "${schema}".tessera_refresh_hashes ORDER BY generation`);
        expect(registered.rows.map((r) => r.hash)).toEqual(["h0", `h1-${winner}`]);
      } finally {
        await Promise.all(fleet.map((s) => s.close?.()));
      }
    });

    it("stores millisecond times as BIGINT and no token, refresh token or data in clear", async () => {
      const schema = nextSchema();
      const store = postgresStore({ pool, schema });
      const h = await harness({ store });
      const started = await h.start();
      const refreshed = (await h.post("/v1/sessions/refresh", { ...SCOPE, refreshToken: started.refreshToken })).body;
      const types = await pool.query(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'tessera_sessions' AND column_name LIKE '%_at'`, [schema]);
      expect(types.rows.length).toBeGreaterThanOrEqual(4);
      for (const row of types.rows) expect(row.data_type).toBe("bigint");
      const dump = JSON.stringify((await pool.query(`SELECT * FROM "${schema}".tessera_sessions`)).rows)
        + JSON.stringify((await pool.query(`SELECT * FROM "${schema}".tessera_refresh_hashes`)).rows);
      for (const secret of [started.refreshToken, refreshed.refreshToken, refreshed.token.split(":")[1], "feekayo", "fikayo@ductape.app"]) {
        expect(dump).not.toContain(secret);
      }
      await store.close();
    });

    it("refuses bad options when created, before touching the database", () => {
      expect(() => postgresStore({ pool, schema: 'x"; DROP TABLE y; --' })).toThrow(expect.objectContaining({ code: "INVALID_CONFIG", field: "schema" }));
      expect(() => postgresStore({ connectionString: "" })).toThrow(expect.objectContaining({ code: "INVALID_CONFIG" }));
      expect(() => postgresStore({ connectionString: url, max: 0 })).toThrow(expect.objectContaining({ code: "INVALID_CONFIG", field: "max" }));
    });
  });
}
