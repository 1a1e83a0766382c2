import { beforeAll, describe, expect, it } from "vitest";
import { runIn, scratchProject } from "../support/tarball.ts";

// The published .d.ts files, compiled as users compile them: `tsc --strict` with
// `skipLibCheck: false` (so our declarations are checked, not skipped), in the four project
// setups the package targets, with neither optional peer (better-sqlite3, pg) installed.
// A type that only exists in one lib (the DOM's RequestInfo, a global CryptoKey) or an import
// of a peer's types fails here, where tests of src/ (one tsconfig with every lib) cannot see it.

const NEUTRAL = `
import { createClient, isSessionError, type TesseraClient } from "tessera-sessions";
import { encryptedStorage, memoryStorage, secretKey, cloudflareKVStorage, type KVNamespaceLike } from "tessera-sessions/storage";
import { createSessionServer, memoryStore, sqliteStore, d1Store, keysFromEnv, type SessionServer, type SqliteDatabaseLike } from "tessera-sessions/server";
import { verifySessionToken } from "tessera-sessions/verify";

export async function use(env: Record<string, string>, kv: KVNamespaceLike, db: SqliteDatabaseLike): Promise<unknown> {
  const server: SessionServer = createSessionServer({ issuer: "https://sessions.test", ...keysFromEnv(env), store: memoryStore(), products: [] });
  const client: TesseraClient = createClient({
    baseUrl: "https://sessions.test",
    storage: encryptedStorage(cloudflareKVStorage(kv), { key: await secretKey(env.TOKENS_SECRET ?? "") }),
    fetch: (request) => server.fetch(request),
  });
  // The runtime's own WebCrypto key is accepted where the package takes a key.
  const raw = await crypto.subtle.importKey("raw", new Uint8Array(32), "AES-GCM", false, ["encrypt", "decrypt"]);
  encryptedStorage(memoryStorage(), { key: raw });
  const authed = client.sessions.fetch({ tag: "session-tag" });
  await authed("https://api.test/x", { method: "POST" });
  await authed(new URL("https://api.test/y"));
  sqliteStore({ database: db });
  return [isSessionError(null), await verifySessionToken("t", { jwks: { keys: [] }, issuer: "https://sessions.test", product: "p", env: "snd", tag: "session-tag" })];
}
`;

const NODE_ONLY = `
import { nodeListener, serveNode } from "tessera-sessions/node";
import { createSessionServer, memoryStore } from "tessera-sessions/server";
export const listener = nodeListener(createSessionServer({ issuer: "http://x", keys: [], secret: "s", store: memoryStore(), products: [], accessKeys: { secret: [] } }).fetch);
export const serve = serveNode;
`;

const CJS = `
import { createClient } from "tessera-sessions";
import { memoryStorage } from "tessera-sessions/storage";
import { createSessionServer } from "tessera-sessions/server";
import { verifySessionToken } from "tessera-sessions/verify";
import { nodeListener } from "tessera-sessions/node";
export const all = [createClient, memoryStorage, createSessionServer, verifySessionToken, nodeListener];
`;

function tsconfig(compilerOptions: Record<string, unknown>, include: string[]): string {
  return JSON.stringify({
    compilerOptions: { strict: true, skipLibCheck: false, noEmit: true, target: "es2022", ...compilerOptions },
    include,
  });
}

const SETUPS: Record<string, string> = {
  // `types` is explicit in each: otherwise every package under node_modules/@types is loaded.
  browser: tsconfig({ lib: ["es2022", "dom", "dom.iterable"], types: [], module: "esnext", moduleResolution: "bundler" }, ["neutral.ts"]),
  worker: tsconfig({ lib: ["es2022"], types: ["@cloudflare/workers-types"], module: "esnext", moduleResolution: "bundler" }, ["neutral.ts"]),
  "node-bundler": tsconfig({ lib: ["es2022"], types: ["node"], module: "esnext", moduleResolution: "bundler" }, ["neutral.ts", "node-only.ts"]),
  "node-nodenext": tsconfig({ lib: ["es2022"], types: ["node"], module: "nodenext", moduleResolution: "nodenext" }, ["neutral.ts", "node-only.ts", "cjs.cts"]),
};

let dir: string;
beforeAll(async () => {
  dir = await scratchProject({
    name: "types",
    devDependencies: { typescript: "5.9.3", "@cloudflare/workers-types": "4.20251126.0", "@types/node": "20.19.43" },
    files: {
      "neutral.ts": NEUTRAL,
      "node-only.ts": NODE_ONLY,
      "cjs.cts": CJS,
      ...Object.fromEntries(Object.entries(SETUPS).map(([name, text]) => [`tsconfig.${name}.json`, text])),
    },
  });
}, 120_000);

describe("the published types under tsc --strict, skipLibCheck false, no optional peer installed", () => {
  it("has neither better-sqlite3 nor pg installed", async () => {
    const { stdout } = await runIn(dir, "node", ["-e", "for (const m of ['better-sqlite3','pg','@types/better-sqlite3']) { try { require.resolve(m); console.log(m) } catch {} }"]);
    expect(stdout.trim()).toBe("");
  });

  it.each(Object.keys(SETUPS))("compiles every entry point in a %s project", async (setup) => {
    const result = await runIn(dir, "npx", ["tsc", "-p", `tsconfig.${setup}.json`]).catch((error: Error) => error);
    expect(result instanceof Error ? result.message : "").toBe("");
  }, 120_000);
});
