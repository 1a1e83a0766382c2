import { join } from "node:path";
import { build, type BuildOptions, type Plugin } from "esbuild";

const ROOT = join(import.meta.dirname, "../../..");

/** `tessera-sessions`, `tessera-sessions/server`, ... resolve to the sources, as the package's exports do to dist/. */
const tesseraFromSource: Plugin = {
  name: "tessera-from-source",
  setup(b) {
    b.onResolve({ filter: /^tessera-sessions(\/(server|storage|verify|hono|worker))?$/ }, ({ path }) => ({
      path: join(ROOT, "src", path === "tessera-sessions" ? "index.ts" : `${path.slice("tessera-sessions/".length)}/index.ts`),
    }));
  },
};

/**
 * Bundles the Cloudflare Worker example the way wrangler does (TOOLCHAIN.md): one ES module,
 * neutral platform, the `worker` and `browser` export conditions, no Node built-ins.
 */
export async function bundleWorker(entry = "examples/cloudflare-worker/src/worker.ts"): Promise<string> {
  const result = await build({ ...WORKER_BUILD, entryPoints: [join(ROOT, entry)], target: "es2022", plugins: [tesseraFromSource] });
  return result.outputFiles![0]!.text;
}

/** esbuild's options for a Worker bundle as wrangler makes it; callers add the entry. */
export const WORKER_BUILD: BuildOptions = {
  bundle: true,
  write: false,
  format: "esm",
  platform: "neutral",
  conditions: ["worker", "browser"],
  mainFields: ["browser", "module", "main"],
  // Provided by workerd itself (tessera-sessions/worker's WorkerEntrypoint).
  external: ["cloudflare:workers"],
  logLevel: "silent",
};
