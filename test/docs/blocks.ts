import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

// The code blocks of the docs, and which test runs each (docs/package.md, "Code blocks in the docs").

export const root = resolve(import.meta.dirname, "../..");

export interface Block {
  /** The Markdown file, relative to the repository. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  /** `fragment`, the test file named by `<!-- tested: … -->`, or undefined when unmarked. */
  marker: "fragment" | { tested: string } | undefined;
}

/** README.md, docs/*.md and examples/<name>/README.md. */
export function docFiles(): string[] {
  const docs = readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`);
  const examples = readdirSync(join(root, "examples"), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, "examples", e.name, "README.md")))
    .map((e) => `examples/${e.name}/README.md`);
  return ["README.md", ...docs.sort(), ...examples.sort()];
}

/** Every fenced block (``` … ```) of one file, with the marker on the line right before its fence. */
export function blocksOf(file: string): Block[] {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^\s*```\s*$/.test(l));
    if (end < 0) throw new Error(`${file}:${i + 1}: a code fence is never closed`);
    const previous = (lines[i - 1] ?? "").trim();
    const tested = /^<!-- tested: (\S+) -->$/.exec(previous);
    blocks.push({
      file,
      line: i + 1,
      lang: open[2]!,
      code: lines.slice(i + 1, end).map((l) => l.slice(open[1]!.length)).join("\n"),
      marker: previous === "<!-- fragment -->" ? "fragment" : tested ? { tested: tested[1]! } : undefined,
    });
    i = end;
  }
  return blocks;
}

export const allBlocks = (): Block[] => docFiles().flatMap(blocksOf);

/** The blocks a runner test must run: those marked with its own path. */
export function blocksTestedBy(testFile: string): Block[] {
  const name = relative(root, testFile);
  return allBlocks().filter((b) => typeof b.marker === "object" && b.marker.tested === name);
}

export const where = (block: Block) => `${block.file}:${block.line}`;
