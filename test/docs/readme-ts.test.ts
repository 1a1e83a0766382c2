/**
 * The TypeScript blocks of the docs, type-checked with `tsc --strict` in a fresh project that
 * has only the packed tarball, TypeScript and @types/node; the backend blocks also run: the
 * client's start against a real `tessera dev`, the endpoint on keys from `tessera keys`.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv, promisify } from "node:util";
import { beforeAll, afterAll, describe, expect, it } from "vitest";
import { runIn, scratchProject } from "../support/tarball.ts";
import { ensureBuilt, startDev, tempDir, type DevProcess } from "../cli/spawn-dev.js";
import { blocksTestedBy, where, type Block } from "./blocks.ts";

// Names the snippets use without defining: what the surrounding app would have.
const AMBIENT: Record<string, string> = {
  data: "declare const data: { userId: string };",
  showLogin: "declare function showLogin(reason: string): void;",
  request: "declare const request: Request;",
  env: "declare const env: { TOKENS: any; TOKENS_SECRET: string };",
};

/** A block as a module: its imports on top, the rest inside `run()` (so `return` and `await` work). */
function moduleOf(block: Block): string {
  const lines = block.code.split("\n");
  const imports = lines.filter((l) => l.startsWith("import "));
  const body = lines.filter((l) => !l.startsWith("import "));
  const ambient = Object.entries(AMBIENT)
    .filter(([name]) => new RegExp(`\\b${name}\\b`).test(body.join("\n")) && !new RegExp(`(const|let|function) ${name}\\b`).test(body.join("\n")))
    .map(([, declaration]) => declaration);
  return [`// ${where(block)}`, ...imports, ...ambient, "export async function run() {", ...body, "}", ""].join("\n");
}

const exec = promisify(execFile);
const blocks = blocksTestedBy(import.meta.filename);
let dir: string;
let dev: DevProcess;

beforeAll(async () => {
  await ensureBuilt();
  const files: Record<string, string> = {
    "tsconfig.json": JSON.stringify({
      compilerOptions: { strict: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext", lib: ["es2022", "dom"], types: ["node"], outDir: "out", skipLibCheck: true },
      include: ["blocks/*.ts"],
    }),
  };
  blocks.forEach((block, i) => (files[`blocks/block${i}.ts`] = moduleOf(block)));
  dir = await scratchProject({ name: "docs-ts", files, devDependencies: { typescript: "5.9.3", "@types/node": "20.19.43" } });
  const cwd = tempDir();
  dev = await startDev(["--port", "0", "--data-dir", join(cwd, ".tessera")], cwd);
}, 180_000);
afterAll(() => dev?.stop());

describe("TypeScript blocks of the docs, from the packed package", () => {
  it("has blocks to check", () => expect(blocks.length).toBeGreaterThanOrEqual(5));

  // The package's own .d.ts files are checked by the consumer stage (test/consumer); here, the snippets.
  it("every block type-checks with tsc --strict", async () => {
    await runIn(dir, "npx", ["tsc", "-p", "."]);
  }, 120_000);

  it("the backend block starts a session on tessera dev", async () => {
    const i = blocks.findIndex((b) => b.code.includes("process.env.TESSERA_SECRET_KEY"));
    expect(i).toBeGreaterThanOrEqual(0);
    writeFileSync(join(dir, "run-backend.mjs"), `const { run } = await import("./out/block${i}.js"); await run(); console.log("ok");`);
    const { stdout } = await exec(process.execPath, ["run-backend.mjs"], {
      cwd: dir,
      timeout: 30_000,
      env: { ...process.env, TESSERA_URL: dev.url, TESSERA_SECRET_KEY: dev.secretKey },
    });
    expect(stdout.trim()).toBe("ok");
    await expect.poll(() => dev.stdout()).toMatch(/POST \/v1\/sessions\/start 201/);
  }, 60_000);

  it("the endpoint block builds its server from `tessera keys` output in the environment", async () => {
    const i = blocks.findIndex((b) => b.code.includes("keysFromEnv(process.env)"));
    expect(i).toBeGreaterThanOrEqual(0);
    const { stdout: envText } = await runIn(dir, "node", ["node_modules/tessera-sessions/dist/cli.js", "keys", "--format", "env"]);
    writeFileSync(join(dir, "tessera.env"), envText);
    writeFileSync(join(dir, "run-server.mjs"), `const { run } = await import("./out/block${i}.js"); await run(); console.log("ok");`);
    expect((await runIn(dir, "node", ["--env-file=tessera.env", "run-server.mjs"])).stdout.trim()).toBe("ok");
    // Without the variables it fails with the variable's name, not a crash deep inside.
    const failing = await runIn(dir, "node", ["run-server.mjs"]).then(() => "", (error: Error) => error.message);
    expect(failing).toMatch(/TESSERA_SIGNING_KEYS: is not set/);
    expect(Object.keys(parseEnv(envText))).toHaveLength(4);
  }, 60_000);
});
