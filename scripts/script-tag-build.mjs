// The script-tag build (dist/tessera.global.js) as tsup.config.ts makes it, for what needs it
// without `npm run build`: scripts/size.mjs and the Chromium test pages (test/support/page-origin.ts).
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { minify } from "terser";

const root = join(import.meta.dirname, "..");
const dist = join(root, "dist/tessera.global.js");

const newest = (dir) =>
  Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));

/** dist/tessera.global.js when `npm run build` made it from the current sources, else null. */
export function builtScriptTag() {
  return existsSync(dist) && statSync(dist).mtimeMs >= newest(join(root, "src")) ? readFileSync(dist) : null;
}

/** src/browser.ts bundled as tsup.config.ts does: esbuild IIFE, syntax-minified, then terser; `external` leaves packages out. */
export async function bundleScriptTag(external = []) {
  const result = await build({
    entryPoints: [join(root, "src/browser.ts")],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    write: false,
    outdir: "dist",
    legalComments: "external",
    minifySyntax: true,
    // No server in this bundle: SessionError's code -> status table and the users API stay out.
    define: { TESSERA_SCRIPT_TAG: "true" },
    external,
  });
  const js = result.outputFiles.find((file) => file.path.endsWith(".js")).text;
  // As tsup.config.ts does for the IIFE (no global name): terser with `toplevel` and three passes.
  return Buffer.from((await minify(js, { toplevel: true, compress: { passes: 3 } })).code);
}
