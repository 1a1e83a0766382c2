// The console's browser code (src/console/ui/: TypeScript, CSS, HTML) bundled at build time
// into one module of strings, `tessera-console-ui:assets`, which src/console/ serves. tsup
// (tsup.config.ts), vitest (vitest.config.ts) and the bench's esbuild all resolve that id
// through this file, so dist/console.js carries the page without reading files at run time
// (Workers and Deno Deploy have no file system).
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const CONSOLE_UI_ID = "tessera-console-ui:assets";

/** `export const PAGE, SCRIPT, STYLE` for the UI under `root`/src/console/ui. */
export async function consoleUiModule(root) {
  const { build } = await import("esbuild");
  const dir = join(root, "src/console/ui");
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

/** For esbuild and tsup (`esbuildPlugins`). */
export function consoleUiEsbuildPlugin(root) {
  return {
    name: "tessera-console-ui",
    setup(build) {
      build.onResolve({ filter: /^tessera-console-ui:assets$/ }, (args) => ({ path: args.path, namespace: "tessera-console-ui" }));
      build.onLoad({ filter: /.*/, namespace: "tessera-console-ui" }, async () => ({ contents: await consoleUiModule(root), loader: "js" }));
    },
  };
}

/** For vite and vitest. */
export function consoleUiVitePlugin(root) {
  const resolved = "\0" + CONSOLE_UI_ID;
  return {
    name: "tessera-console-ui",
    resolveId: (id) => (id === CONSOLE_UI_ID ? resolved : null),
    load: (id) => (id === resolved ? consoleUiModule(root) : null),
  };
}
