import { defineConfig } from "tsup";
import { consoleUiEsbuildPlugin } from "./scripts/console-ui.mjs";

// The console's page (src/console/ui) is bundled into dist/console.js and dist/cli.js as strings.
const consoleUi = consoleUiEsbuildPlugin(import.meta.dirname ?? process.cwd());

export default defineConfig([
  {
    // Library entry points: ESM + CJS with types, dependencies external.
    entry: {
      index: "src/index.ts",
      storage: "src/storage/index.ts",
      server: "src/server/index.ts",
      verify: "src/verify/index.ts",
      // Framework integrations: hono and express are optional peers, referenced by types only,
      // so no entry above (nor these) loads them at run time.
      hono: "src/hono/index.ts",
      express: "src/express/index.ts",
      // Workers only: `cloudflare:workers` is provided by workerd and stays an import.
      worker: "src/worker/index.ts",
      console: "src/console/index.ts",
    },
    format: ["esm", "cjs"],
    dts: true,
    platform: "neutral",
    target: "es2022",
    sourcemap: true,
    splitting: true,
    external: ["better-sqlite3", "pg", "hono", "express", "cloudflare:workers"],
    esbuildPlugins: [consoleUi],
  },
  {
    // tessera/node: serveNode and nodeListener over node:http. Its own build for platform node
    // (node: built-ins external), so no chunk of it is shared with the neutral entries above,
    // which browsers, Workers and Deno import.
    entry: { node: "src/node/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    platform: "node",
    target: "node20",
    sourcemap: true,
    // Keep `node:http`: Deno and Bun resolve built-ins by that prefix, and it can't be mistaken
    // for an npm package named "http".
    removeNodeProtocol: false,
  },
  {
    // The `tessera` command: Node only.
    entry: { cli: "src/cli/main.ts" },
    format: ["esm"],
    platform: "node",
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
    external: ["better-sqlite3", "pg"],
    esbuildPlugins: [consoleUi],
  },
  {
    // Script-tag build: client + browser storage under the global `Tessera`.
    entry: { tessera: "src/browser.ts" },
    format: ["iife"],
    // No `globalName`: src/browser.ts assigns `globalThis.Tessera` itself (smaller output).
    platform: "browser",
    target: "es2022",
    // terser, not esbuild's minifier: about 350 B less gzipped, which the 10 KB budget needs
    // (issue 2, Behaviour 6). scripts/size.mjs measures with the same settings.
    minify: "terser",
    // esbuild's syntax minifier first (about 65 B gzipped less than terser alone), then terser with
    // three compress passes (about 25 B less than one); no `unsafe*` transforms, and no `module`
    // (it would drop "use strict" from a classic script).
    minifySyntax: true,
    terserOptions: { compress: { passes: 3 } },
    // ky's licence notice goes to dist/tessera.global.js.LEGAL.txt beside the bundle (shipped in
    // the package) instead of 84 B gzipped at the end of every page load.
    esbuildOptions: (options) => void (options.legalComments = "external"),
    // No server in this bundle: SessionError's code -> status table is left out (src/shared/errors.ts).
    define: { TESSERA_SCRIPT_TAG: "true" },
    noExternal: [/.*/],
    outExtension: () => ({ js: ".global.js" }),
  },
]);
