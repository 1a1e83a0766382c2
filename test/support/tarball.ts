import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";

// What users get is what we test: `npm pack` of the built package, installed into scratch
// projects outside the repository, so nothing resolves from the repository's node_modules.

const exec = promisify(execFile);
export const root = resolve(import.meta.dirname, "../..");
const base = join(tmpdir(), "tessera-consumer");

/** A hash of dist/ and package.json: one tarball per build, shared by every test worker. */
function buildHash(): string {
  const hash = createHash("sha256").update(readFileSync(join(root, "package.json")));
  const dist = join(root, "dist");
  if (!existsSync(join(dist, "index.js"))) throw new Error("dist/ is missing: run `npm run build` first");
  for (const name of readdirSync(dist).sort()) {
    const stat = statSync(join(dist, name));
    hash.update(`${name}:${stat.size}:${stat.mtimeMs}\n`);
  }
  return hash.digest("hex").slice(0, 16);
}

async function waitFor(path: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${path}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Packs the package once per build and returns the tarball's path. Workers racing here agree
 * through an atomic mkdir: one packs, the others wait for its `done` marker.
 */
export async function packTarball(): Promise<string> {
  const dir = join(base, `pack-${buildHash()}`);
  const done = join(dir, "done");
  mkdirSync(base, { recursive: true });
  try {
    mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    await waitFor(done, 120_000);
    return readFileSync(done, "utf8");
  }
  let tarball: string;
  try {
    const { stdout } = await exec("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], { cwd: root });
    const [report] = JSON.parse(stdout) as [{ filename: string }];
    tarball = join(dir, report.filename);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true }); // let the next caller try again
    throw error;
  }
  writeFileSync(done, tarball);
  return tarball;
}

export interface ScratchOptions {
  /** Folder name prefix under the system temp dir, for reading failures. */
  name: string;
  /** Extra dependencies a user would add (exact versions: they come from the npm cache). */
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  /** Files to write, relative to the project. */
  files?: Record<string, string>;
  /** Extra package.json fields. */
  packageJson?: Record<string, unknown>;
}

/**
 * A fresh project with only the tarball and what `options` adds, installed with npm as a
 * user would. Returns its folder. Each call makes a new folder.
 */
export async function scratchProject(options: ScratchOptions): Promise<string> {
  const tarball = await packTarball();
  mkdirSync(base, { recursive: true });
  const dir = join(base, `${options.name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pkg = {
    name: options.name,
    private: true,
    type: "module",
    dependencies: { "tessera-sessions": `file:${tarball}`, ...options.dependencies },
    devDependencies: options.devDependencies ?? {},
    ...options.packageJson,
  };
  writeFileSync(join(dir, "package.json"), JSON.stringify(pkg, null, 2));
  for (const [path, text] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  await exec("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  });
  return dir;
}

/** Runs a command in a scratch project; rejects with its output on a non-zero exit. */
export async function runIn(dir: string, command: string, args: string[], timeout = 120_000): Promise<{ stdout: string; stderr: string }> {
  try {
    return await exec(command, args, { cwd: dir, timeout, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${dir}:\n${e.stdout ?? ""}\n${e.stderr ?? ""}\n${e.message}`);
  }
}
