import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, startDev, tempDir, type DevProcess } from "../cli/spawn-dev.js";
import { blocksTestedBy, where } from "./blocks.ts";

// The quick start's shell blocks, run as written against `tessera dev` with the seed config
// (what `npm start` runs): only the printed URL and secret key are put in, as a reader would.
const exec = promisify(execFile);
let dev: DevProcess;

beforeAll(async () => {
  await ensureBuilt();
  const cwd = tempDir();
  dev = await startDev(["--port", "0", "--data-dir", join(cwd, ".tessera"), "--config", join(import.meta.dirname, "../../examples/tessera.config.json")], cwd);
}, 120_000);
afterAll(() => dev?.stop());

describe("README quick start, shell blocks", () => {
  const blocks = blocksTestedBy(import.meta.filename);
  it("has blocks to run", () => expect(blocks.length).toBeGreaterThan(0));

  for (const block of blocks) {
    it(`${where(block)} runs and answers what its comment shows`, async () => {
      const script = block.code.replaceAll("http://127.0.0.1:8787", dev.url).replace(/tsk_…[^"']*…/, dev.secretKey);
      expect(script).not.toContain("…the printed");
      const { stdout } = await exec("sh", ["-c", script], { timeout: 20_000 });
      const answer = JSON.parse(stdout);
      // The comment line under the command shows the answer's shape.
      const shown = /^# (\{.*\})$/m.exec(block.code)?.[1];
      expect(shown).toBeDefined();
      const keys = [...shown!.matchAll(/"(\w+)":/g)].map((m) => m[1]);
      expect(Object.keys(answer).sort()).toEqual([...keys].sort());
      expect(answer.token).toMatch(/^session-tag:eyJhbGciOiJFUzI1NiIs/);
      expect(answer.refreshToken).toMatch(/^session-tag:/);
    });
  }
});
