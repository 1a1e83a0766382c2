import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";

// What `npm publish` would upload: the tarball must hold what a user needs and nothing else
// (issue 4, part 7). Runs against the built dist/ (`npm test` builds first).
const root = resolve(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8"));
const ENTRIES = ["index", "storage", "server", "verify", "node", "hono", "express", "worker", "console"];

let files: string[];
beforeAll(async () => {
  if (!existsSync(resolve(root, "dist/index.js"))) throw new Error("dist/ is missing: run `npm run build` first");
  const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root });
  const [report] = JSON.parse(stdout) as [{ files: { path: string }[] }];
  files = report.files.map((f) => f.path);
}, 60_000);

/** `./dist/x.js` -> `dist/x.js`, as npm lists tarball paths. */
const inTarball = (path: string) => path.replace(/^\.\//, "");

describe("npm pack", () => {
  it("holds every entry point in ESM and CJS with its types, the IIFE, the bin, README and LICENSE", () => {
    for (const entry of ENTRIES) {
      for (const ext of [".js", ".cjs", ".d.ts", ".d.cts"]) expect(files).toContain(`dist/${entry}${ext}`);
    }
    for (const path of ["dist/tessera.global.js", "dist/tessera.global.js.LEGAL.txt", "dist/cli.js", "README.md", "LICENSE", "package.json"]) {
      expect(files).toContain(path);
    }
  });

  it("holds nothing else: no sources, tests, examples, local state or benchmarks", () => {
    // dist/*.LEGAL.txt: the licence notices of what the script-tag build bundles (tsup.config.ts).
    const allowed = /^(dist\/[^/]+\.(js|cjs|d\.ts|d\.cts|map|js\.LEGAL\.txt)|docs\/[\w.-]+\.md|README\.md|LICENSE|package\.json)$/;
    expect(files.filter((path) => !allowed.test(path))).toEqual([]);
    for (const path of files) expect(path).not.toMatch(/^(src|test|examples|bench|scripts|\.tessera|\.ci|node_modules)\//);
  });

  it("every path package.json points at is in the tarball", () => {
    const targets: string[] = [pkg.main, pkg.module, pkg.types, pkg.unpkg, pkg.jsdelivr, ...Object.values<string>(pkg.bin)];
    const walk = (value: unknown): void => {
      if (typeof value === "string") targets.push(value);
      else if (value && typeof value === "object") Object.values(value).forEach(walk);
    };
    walk(pkg.exports);
    walk(pkg.typesVersions);
    expect(targets.length).toBeGreaterThan(20);
    for (const target of targets) expect(files, target).toContain(inTarball(target));
  });

  it("declares the exports map, side-effect freedom and optional database peers", () => {
    expect(Object.keys(pkg.exports)).toEqual([".", "./storage", "./server", "./verify", "./node", "./hono", "./express", "./worker", "./console", "./package.json"]);
    for (const key of [".", "./storage", "./server", "./verify", "./node", "./hono", "./express", "./worker", "./console"]) {
      // `types` first in each condition: TypeScript takes the first match.
      expect(Object.keys(pkg.exports[key].import)[0]).toBe("types");
      expect(Object.keys(pkg.exports[key].require)[0]).toBe("types");
    }
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.peerDependenciesMeta).toEqual({ "better-sqlite3": { optional: true }, express: { optional: true }, hono: { optional: true }, pg: { optional: true } });
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(["better-sqlite3", "express", "hono", "pg"]);
    for (const runtime of ["jose", "ky", "idb-keyval"]) expect(pkg.dependencies[runtime]).toBeDefined();
    expect(Object.keys(pkg.dependencies)).toHaveLength(3);
  });

  it("ships a bin that Node can run directly", () => {
    expect(readFileSync(resolve(root, "dist/cli.js"), "utf8").startsWith("#!/usr/bin/env node")).toBe(true);
  });

  it("loads every entry point by name from ESM and from CJS (require of ESM-only deps needs Node >= 20.19)", async () => {
    // tessera-sessions/worker imports `cloudflare:workers`, which only workerd provides: it is
    // loaded in workerd instead (test/consumer/workers.test.ts).
    const names = ["tessera-sessions", "tessera-sessions/storage", "tessera-sessions/server", "tessera-sessions/verify", "tessera-sessions/node", "tessera-sessions/hono", "tessera-sessions/express", "tessera-sessions/console"];
    const probe = (kind: "import" | "require") =>
      names.map((n) => kind === "import" ? `Object.keys(await import("${n}")).length` : `Object.keys(require("${n}")).length`).join(",");
    const run = promisify(execFile);
    const esm = await run(process.execPath, ["--input-type=module", "-e", `console.log(JSON.stringify([${probe("import")}]))`], { cwd: root });
    const cjs = await run(process.execPath, ["--input-type=commonjs", "-e", `console.log(JSON.stringify([${probe("require")}]))`], { cwd: root });
    const counts = JSON.parse(esm.stdout) as number[];
    expect(counts.every((n) => n > 0)).toBe(true);
    expect(JSON.parse(cjs.stdout)).toEqual(counts);
  });
});
