import { join } from "node:path";
import { build } from "esbuild";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { root } from "../support/tarball.ts";
import { startWorkerd } from "./start-workerd.ts";
import { compatibilityOf, exampleWranglerConfig } from "./wrangler-config.ts";

// Every neutral entry point's built ESM file, loaded in workerd with the Worker example's
// compatibility settings and without nodejs_compat. A Node-only global touched at module scope
// (`setImmediate`, `process`, `Buffer`) or a `node:` import fails the load here. Each entry is
// bundled the way wrangler bundles (esbuild, `worker`/`browser` conditions) with a namespace
// import, so every module it re-exports is kept and evaluated.
const ENTRIES = ["index", "storage", "server", "verify"] as const;
const config = exampleWranglerConfig();
let mf: Miniflare;

async function workerFor(entry: string): Promise<string> {
  const file = join(root, "dist", `${entry}.js`).replace(/\\/g, "/");
  const result = await build({
    stdin: {
      contents: `import * as entry from ${JSON.stringify(file)};
export default { fetch: () => Response.json(Object.keys(entry).sort()) };`,
      resolveDir: root,
      loader: "js",
    },
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

beforeAll(async () => {
  const scripts = await Promise.all(ENTRIES.map(workerFor));
  mf = await startWorkerd({
    // Modules listed, not walked: Miniflare's walker refuses the `import(variable)` with which
    // sqliteStore and postgresStore load their drivers when called (never, in a Worker).
    workers: ENTRIES.map((name, i) => ({
      name,
      modules: [{ type: "ESModule" as const, path: `${name}.mjs`, contents: scripts[i]! }],
      ...compatibilityOf(config),
    })),
  });
}, 60_000);
afterAll(async () => {
  await mf?.dispose();
});

describe("the built entry points in workerd without nodejs_compat", () => {
  it("runs under the example's settings, which hold no nodejs_compat", () => {
    expect(config.compatibility_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(config.compatibility_flags ?? []).not.toContain("nodejs_compat");
  });

  it.each(ENTRIES)("loads dist/%s.js and sees its exports", async (entry) => {
    const response = await (await mf.getWorker(entry)).fetch("http://entry.test/");
    const names = (await response.json()) as string[];
    const expected = { index: "createClient", storage: "encryptedStorage", server: "createSessionServer", verify: "verifySessionToken" }[entry];
    expect(names).toContain(expected);
  });
});
