// The browser pages' code (TypeScript, CSS, HTML) bundled at build time into modules of strings:
// `tessera-console-ui:assets` from src/console/ui/ (the console, src/console/ serves it) and
// `tessera-demo-ui:assets` from src/cli/demo/ui/ (the page `tessera dev` serves at /). tsup
// (tsup.config.ts), vitest (vitest.config.ts) and the bench's esbuild all resolve those ids
// through this file, so dist/console.js and dist/cli.js carry the pages without reading files at
// run time (Workers and Deno Deploy have no file system).
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const CONSOLE_UI_ID = "tessera-console-ui:assets";
export const DEMO_UI_ID = "tessera-demo-ui:assets";
const UI_DIRS = { [CONSOLE_UI_ID]: "src/console/ui", [DEMO_UI_ID]: "src/cli/demo/ui" };

/** `export const PAGE, SCRIPT, STYLE` for the UI `id` (its index.html, main.ts, styles.css). */
export async function uiModule(root, id) {
  const { build } = await import("esbuild");
  const dir = join(root, UI_DIRS[id]);
  const common = { bundle: true, minify: true, write: false, logLevel: "silent", legalComments: "none", target: "es2022" };
  const [script, style] = await Promise.all([
    build({ ...common, entryPoints: [join(dir, "main.ts")], format: "iife", platform: "browser" }),
    build({ ...common, entryPoints: [join(dir, "styles.css")], loader: { ".css": "css" } }),
  ]);
  const page = readFileSync(join(dir, "index.html"), "utf8");
  const text = (result) => result.outputFiles[0].text;
  return [
    `export const PAGE = ${JSON.stringify(page)};`,
    `export const SCRIPT = ${JSON.stringify(text(script))};`,
    `export const STYLE = ${JSON.stringify(text(style))};`,
  ].join("\n");
}

/** For esbuild and tsup (`esbuildPlugins`): both pages. */
export function consoleUiEsbuildPlugin(root) {
  return {
    name: "tessera-ui",
    setup(build) {
      build.onResolve({ filter: /^tessera-(console|demo)-ui:assets$/ }, (args) => ({ path: args.path, namespace: "tessera-ui" }));
      build.onLoad({ filter: /.*/, namespace: "tessera-ui" }, async (args) => ({ contents: await uiModule(root, args.path), loader: "js" }));
    },
  };
}

/** For vite and vitest: both pages. */
export function consoleUiVitePlugin(root) {
  const prefix = "\0";
  return {
    name: "tessera-ui",
    resolveId: (id) => (id in UI_DIRS ? prefix + id : null),
    load: (id) => (id.startsWith(prefix) && id.slice(1) in UI_DIRS ? uiModule(root, id.slice(1)) : null),
  };
}
