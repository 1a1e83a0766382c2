import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "tessera-timers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bundles a script against src/ and runs it in a fresh Node process; returns its exit and timing. */
async function run(body: string) {
  const entry = join(dir, `entry-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(entry, body);
  const out = entry.replace(/\.ts$/, ".mjs");
  await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "node", outfile: out, logLevel: "silent" });
  const started = Date.now();
  const result = spawnSync(process.execPath, [out], { timeout: 20_000, encoding: "utf8" });
  return { status: result.status, signal: result.signal, ms: Date.now() - started, stdout: result.stdout, stderr: result.stderr };
}

const src = join(process.cwd(), "src/index.ts");
const fake = join(process.cwd(), "test/client/fake-endpoint.ts");

describe("timers never keep a Node process alive (issue 2, Behaviour 4)", () => {
  it("exits promptly with a background refresh scheduled minutes ahead and a BroadcastChannel open", async () => {
    const result = await run(`
      import { createClient } from ${JSON.stringify(src)};
      import { fakeEndpoint } from ${JSON.stringify(fake)};
      const endpoint = fakeEndpoint();
      const client = createClient({ baseUrl: "https://auth.test", fetch: endpoint.fetch, autoRefresh: true, broadcast: "t" });
      await client.sessions.start({ product: "p", env: "e", tag: "t", data: { userId: "u" } });
      // a retryable failure schedules a back-off timer as well
      await client.sessions.get({ product: "p", env: "e", tag: "t" });
      console.log("started");
    `);
    expect(result.stdout).toContain("started");
    expect(result.status).toBe(0);
    expect(result.ms).toBeLessThan(5_000);
  });

  it("control: the same script with a plain pending timer does not exit by itself", async () => {
    const result = await run(`setTimeout(() => console.log("late"), 3_000); console.log("started");`);
    expect(result.ms).toBeGreaterThanOrEqual(2_900);
    expect(result.stdout).toContain("late");
  });
});
