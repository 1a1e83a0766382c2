import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// The ecosystem's two package linters, on the tarball as it would be published (docs/package.md).
const root = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
const bin = (name: string) => resolve(root, "node_modules/.bin", name);

describe("package linters", () => {
  it("publint --strict finds nothing", async () => {
    const { stdout } = await run(bin("publint"), ["--strict"], { cwd: root });
    expect(stdout).toContain("All good!");
  }, 60_000);

  it("@arethetypeswrong/cli resolves types for every entry point in node10, node16 (CJS and ESM) and bundler", async () => {
    const { stdout } = await run(bin("attw"), ["--pack", ".", "--format", "json"], { cwd: root });
    const report = JSON.parse(stdout) as { problems: Record<string, unknown>; analysis: { entrypoints: Record<string, unknown> } };
    expect(report.problems).toEqual({});
    expect(Object.keys(report.analysis.entrypoints)).toEqual(expect.arrayContaining([".", "./storage", "./server", "./verify", "./node"]));
  }, 60_000);
});
