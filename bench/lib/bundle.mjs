// Bundles a TypeScript source entry of tessera (src/server/index.ts, src/storage/index.ts...)
// into node_modules/.cache/tessera-bench/ so the .mjs bench scripts can import it without a
// build step. Dependencies stay external and resolve from node_modules, as they do for users.
import { join, dirname } from "node:path";
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { consoleUiEsbuildPlugin } from "../../scripts/console-ui.mjs";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const CACHE = join(ROOT, "node_modules/.cache/tessera-bench");

const built = new Map();

/**
 * Imports `src/...ts` of this repository through an esbuild bundle (ESM, node platform).
 * Throws with a one-line reason when the source is missing or does not bundle.
 * @param {string} entry path from the repository root, e.g. "src/server/index.ts"
 * @param {string} name output file name without extension
 * @param {string} [root] another copy of the sources (a baseline: `git archive <rev> src | tar -x -C dir`)
 */
export async function importSource(entry, name, root = ROOT) {
  if (!built.has(name)) built.set(name, bundleSource(entry, name, root));
  return import(pathToFileURL(await built.get(name)).href);
}

/**
 * Bundles `entry` into `CACHE/<name>.mjs` and returns that path; throws with a one-line reason.
 * @param {string} entry @param {string} name @param {string} [root]
 */
export async function bundleSource(entry, name, root = ROOT) {
  if (!existsSync(join(root, entry))) throw new Error(`${join(root, entry)} is not written yet`);
  const esbuild = await import("esbuild");
  const outfile = join(CACHE, `${name}.mjs`);
  try {
    await esbuild.build({
      entryPoints: [join(root, entry)],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      logLevel: "silent",
      // The console's page is bundled into the CLI at build time (scripts/console-ui.mjs).
      plugins: [consoleUiEsbuildPlugin(root)],
    });
  } catch (error) {
    throw new Error(`${entry} does not bundle (${error?.errors?.[0]?.text ?? error?.message})`);
  }
  return outfile;
}
