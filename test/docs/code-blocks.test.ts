import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allBlocks, blocksOf, root, where } from "./blocks.ts";

// Docs that run: every code block of README.md, docs/*.md and examples/*/README.md is either run
// by a test (`<!-- tested: test/docs/x.test.ts -->` on the line before its fence) or marked as
// a fragment (`<!-- fragment -->`). A new unmarked block fails here.
describe("code blocks in the docs", () => {
  const blocks = allBlocks();

  it("finds the blocks (not vacuous)", () => {
    expect(blocks.length).toBeGreaterThan(30);
    expect(blocks.filter((b) => typeof b.marker === "object").length).toBeGreaterThanOrEqual(8);
  });

  it("every block is marked: run by a test, or a fragment", () => {
    const unmarked = blocks.filter((b) => b.marker === undefined).map((b) => `${where(b)} (${b.lang || "no language"})`);
    expect(unmarked, "mark each with <!-- fragment --> or <!-- tested: test/docs/….test.ts --> on the line before the fence").toEqual([]);
  });

  it("every test named by a marker exists and runs the blocks marked with its name", () => {
    const named = new Set(blocks.flatMap((b) => (typeof b.marker === "object" ? [b.marker.tested] : [])));
    for (const test of named) {
      expect(existsSync(join(root, test)), test).toBe(true);
      // A runner asks for its blocks by its own path (blocks.ts) and runs them all.
      expect(readFileSync(join(root, test), "utf8"), test).toContain("blocksTestedBy(import.meta.filename)");
    }
  });

  it("every html block of README.md is run in Chromium", () => {
    const html = blocksOf("README.md").filter((b) => b.lang === "html");
    expect(html.length).toBeGreaterThan(0);
    for (const block of html) expect(block.marker, where(block)).toEqual({ tested: "test/docs/html-blocks.test.ts" });
  });

  it("the README's endpoint snippet takes its keys from the environment", () => {
    const server = blocksOf("README.md").find((b) => b.code.includes("createSessionServer({"))!;
    expect(server.code).toContain("keysFromEnv(process.env)");
    expect(server.code).not.toMatch(/generateSigningKey|generateSecret\(/);
  });
});
