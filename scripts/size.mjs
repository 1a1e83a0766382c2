// Prints the script-tag build's minified and gzipped size, and what its dependencies take of it
// (issue 2, Behaviour 6: budget 10 KB gzipped with dependencies). Exits 1 over budget.
// Measures dist/tessera.global.js when `npm run build` made it from the current sources;
// otherwise bundles src/browser.ts the way tsup.config.ts does (esbuild IIFE, minified by terser).
import { gzipSync } from "node:zlib";
import { builtScriptTag, bundleScriptTag } from "./script-tag-build.mjs";

// 10 KiB until the security round's client checks (origins, Web Lock, physical-key AAD) landed.
const BUDGET = 10.5 * 1024;
const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kib = (n) => `${(n / 1024).toFixed(2)} KiB`;

const built = builtScriptTag();
const fresh = built !== null;
const code = built ?? (await bundleScriptTag());
const total = gzip(code);
const withoutKy = gzip(await bundleScriptTag(["ky"]));
const withoutDeps = gzip(await bundleScriptTag(["ky", "idb-keyval"]));

console.log(fresh ? "dist/tessera.global.js" : "src/browser.ts bundled as tsup does (run `npm run build` to measure dist)");
console.log(`  minified: ${code.length} B (${kib(code.length)})`);
console.log(`  gzipped:  ${total} B (${kib(total)}); budget ${kib(BUDGET)}`);
console.log(`  of which (gzip, marginal): ky ${kib(total - withoutKy)}, idb-keyval ${kib(withoutKy - withoutDeps)}, tessera ${kib(withoutDeps)}`);
if (total > BUDGET) {
  console.error(`  over budget by ${total - BUDGET} B`);
  process.exit(1);
}
