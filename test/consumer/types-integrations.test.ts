import { beforeAll, describe, expect, it } from "vitest";
import { runIn, scratchProject } from "../support/tarball.ts";

// The integration entry points' published .d.ts, compiled as users compile them (tsc --strict,
// skipLibCheck false), each in the project where it is used, with the framework the user
// already has: /hono on Workers and Node, /express on Node, /worker and /console on Workers.
// types.test.ts covers the five core entry points with no peer installed.

const HONO = `
import { Hono } from "hono";
import { sessionAuth, type SessionVariables } from "tessera-sessions/hono";
const app = new Hono<{ Variables: SessionVariables }>();
app.use("/api/*", sessionAuth({ jwksUrl: "https://sessions.test/.well-known/jwks.json", issuer: "https://sessions.test", product: "p", env: "snd", tag: "session-tag" }));
app.get("/api/me", (c) => c.json({ id: c.var.session.identifier }));
export default app;
`;

const EXPRESS = `
import express from "express";
import { sessionAuth } from "tessera-sessions/express";
const app = express();
app.use("/api", sessionAuth({ jwksUrl: "https://sessions.test/.well-known/jwks.json", issuer: "https://sessions.test", product: "p", env: "snd", tag: "session-tag" }));
export { app };
`;

const WORKER = `
import { createSessionsEntrypoint } from "tessera-sessions/worker";
import { createConsole } from "tessera-sessions/console";
import { d1Store, keysFromEnv, type D1Like } from "tessera-sessions/server";
interface Env { DB: D1Like; [name: string]: unknown }
export const Sessions = createSessionsEntrypoint<Env>((env) => ({ issuer: "https://sessions.test", ...keysFromEnv(env), store: d1Store(env.DB), products: [] }));
export const consoleHandler: (request: Request) => Promise<Response> = createConsole({ endpoint: "https://sessions.test" });
`;

function tsconfig(compilerOptions: Record<string, unknown>, include: string[]): string {
  return JSON.stringify({ compilerOptions: { strict: true, skipLibCheck: false, noEmit: true, target: "es2022", ...compilerOptions }, include });
}

const SETUPS: Record<string, string> = {
  worker: tsconfig({ lib: ["es2022"], types: ["@cloudflare/workers-types"], module: "esnext", moduleResolution: "bundler" }, ["hono-app.ts", "worker.ts"]),
  "node-nodenext": tsconfig({ lib: ["es2022"], types: ["node"], module: "nodenext", moduleResolution: "nodenext", esModuleInterop: true }, ["hono-app.ts", "express-app.ts"]),
};

let dir: string;
beforeAll(async () => {
  dir = await scratchProject({
    name: "types-integrations",
    dependencies: { hono: "4.13.19", express: "5.3.0" },
    devDependencies: { typescript: "5.9.3", "@cloudflare/workers-types": "4.20251126.0", "@types/node": "20.19.43", "@types/express": "5.0.6" },
    files: {
      "hono-app.ts": HONO,
      "express-app.ts": EXPRESS,
      "worker.ts": WORKER,
      ...Object.fromEntries(Object.entries(SETUPS).map(([name, text]) => [`tsconfig.${name}.json`, text])),
    },
  });
}, 180_000);

describe("the integration entry points' published types under tsc --strict, skipLibCheck false", () => {
  it.each(Object.keys(SETUPS))("compiles in a %s project", async (setup) => {
    const result = await runIn(dir, "npx", ["tsc", "-p", `tsconfig.${setup}.json`]).catch((error: Error) => error);
    expect(result instanceof Error ? result.message : "").toBe("");
  }, 120_000);
});
