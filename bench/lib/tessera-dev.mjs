// Runs `tessera dev` for the bench: TESSERA_CLI if set, else dist/cli.js when it is newer
// than every file under src/ (a stale build would measure old code), else src/cli/main.ts
// bundled by esbuild into node_modules/.cache (dependencies stay external and resolve from
// node_modules). Each call gets a fresh --data-dir, so no case sees another's
// sessions, and the banner's two dev keys are read back for the requests.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleSource, ROOT } from "./bundle.mjs";
import { startServerProcess } from "./server-process.mjs";

const CONFIG = join(ROOT, "examples/tessera.config.json");

let cli;
/** Which CLI file the cases run, decided once: { path, source } or { skip: reason }. */
export function resolveCli() {
  cli ??= (async () => {
    if (process.env.TESSERA_CLI) return { path: process.env.TESSERA_CLI, source: "TESSERA_CLI" };
    const dist = join(ROOT, "dist/cli.js");
    if (existsSync(dist) && statSync(dist).mtimeMs >= newestMtime(join(ROOT, "src"))) return { path: dist, source: "dist/cli.js" };
    if (!existsSync(join(ROOT, "src/cli/main.ts"))) return { skip: "no dist/cli.js and no src/cli/main.ts" };
    try {
      return { path: await bundleSource("src/cli/main.ts", "cli"), source: "src/cli bundled by esbuild" };
    } catch (error) {
      return { skip: `no dist/cli.js and ${error.message}` };
    }
  })();
  return cli;
}

/** The newest modification time of any file under `dir` (0 when it does not exist). */
function newestMtime(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

/** Why `tessera dev` cannot run here, or null. */
export async function devUnavailable() {
  const { skip } = await resolveCli();
  if (skip) return skip;
  if (!existsSync(CONFIG)) return "examples/tessera.config.json missing";
  return null;
}

const baselines = new Map();
/**
 * `tessera dev` built from another copy of the sources (TESSERA_BENCH_BASELINE, see
 * bench/throughput.mjs), for before/after rows in one run.
 */
export function resolveBaselineCli(root) {
  if (!baselines.has(root)) {
    baselines.set(
      root,
      bundleSource("src/cli/main.ts", "cli-baseline", root).then((path) => ({ path, source: `baseline ${root}` })),
    );
  }
  return baselines.get(root);
}

/**
 * Starts `tessera dev` on a free port; resolves once the banner printed both keys.
 * @param {{ baseline?: string, args?: string[] }} [options] run the CLI built from a baseline
 *   copy of src/; `args`: more `tessera dev` flags (e.g. --workers 2)
 */
export async function startDev(options = {}) {
  const { path, source } = options.baseline ? await resolveBaselineCli(options.baseline) : await resolveCli();
  const dataDir = mkdtempSync(join(tmpdir(), "tessera-bench-"));
  let proc;
  try {
    proc = await startServerProcess(process.execPath, [path, "dev", "--port", "0", "--data-dir", dataDir, "--config", CONFIG, ...(options.args ?? [])], {
      cwd: ROOT,
      ready: /publishable key\s+\S+/,
      timeoutMs: 30_000,
    });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const banner = proc.output();
  const secretKey = /secret key\s+(\S+)/.exec(banner)?.[1];
  const publishableKey = /publishable key\s+(\S+)/.exec(banner)?.[1];
  return {
    url: proc.url,
    pid: proc.pid,
    source,
    secretKey,
    publishableKey,
    stop: async () => {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
