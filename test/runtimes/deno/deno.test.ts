import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/**
 * Runs the Deno half of the runtime tests with the real `deno` binary (the npm package's),
 * inside the project folder, offline: Deno resolves bare imports from ./node_modules
 * (TOOLCHAIN.md). The *_test.ts files here use Deno.test, Deno.openKv and Deno.serve.
 */
const ROOT = join(import.meta.dirname, "../../..");
// The binary itself, not npm's bin.cjs wrapper (used when install scripts did not run), so that
// killing the example server kills Deno and not only a wrapper around it.
const DENO = [
  `node_modules/@deno/${process.platform}-${process.arch}-glibc/deno`,
  "node_modules/deno/deno",
  "node_modules/.bin/deno",
].map((p) => join(ROOT, p)).find((p) => existsSync(p))!;
const HERE = "test/runtimes/deno";
const ENV = { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1" };
const FLAGS = ["-A", "--no-prompt", "--no-lock", "--unstable-kv"];

describe("Deno (deno test)", () => {
  it("passes every Deno test file: denoKvStore, storage adapters, the example endpoint and client", () => {
    const files = readdirSync(join(ROOT, HERE)).filter((f) => f.endsWith("_test.ts")).map((f) => `${HERE}/${f}`);
    expect(files.length).toBeGreaterThanOrEqual(3);
    const run = spawnSync(DENO, ["test", ...FLAGS, "--import-map", `${HERE}/import_map.json`, ...files], {
      cwd: ROOT, env: ENV, encoding: "utf8", timeout: 50_000,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    const summary = /(ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed/.exec(output);
    expect(summary, output).not.toBeNull();
    expect({ status: run.status, failed: Number(summary![4]) }, output).toEqual({ status: 0, failed: 0 });
    // store suite and specifics (12) + storage suites and at-rest check (15) + endpoint and client (4)
    expect(Number(summary![2])).toBeGreaterThanOrEqual(31);
  }, 60_000);
});

describe("examples/deno/main.ts", () => {
  let child: ReturnType<typeof spawn> | undefined;
  afterAll(() => {
    child?.kill();
  });

  it("serves the endpoint with Deno.serve and Deno KV: start, refresh, JWKS", async () => {
    child = spawn(DENO, ["run", ...FLAGS, "--import-map", "examples/deno/import_map.json", "examples/deno/main.ts"], {
      cwd: ROOT, env: { ...ENV, PORT: "0", TESSERA_KV_PATH: ":memory:", TESSERA_ISSUER: "http://deno.example" },
    });
    let out = "";
    child.stdout!.on("data", (chunk) => (out += chunk));
    child.stderr!.on("data", (chunk) => (out += chunk));
    const deadline = Date.now() + 30_000;
    let url: string | undefined;
    let key: string | undefined;
    while (!(url && key) && Date.now() < deadline && child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      url = /Listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      key = /secret access key: (tsk_[\w-]+)/.exec(out)?.[1];
    }
    expect({ url: Boolean(url), key: Boolean(key) }, out).toEqual({ url: true, key: true });

    const post = async (path: string, body: object) => {
      const response = await fetch(`${url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const scope = { product: "my-product-tag", env: "snd", tag: "session-tag" };
    const started = await post("/v1/sessions/start", { ...scope, data: { userId: "u-1", details: { email: "u@example.com" } } });
    expect(started.status).toBe(201);
    const refreshed = await post("/v1/sessions/refresh", { ...scope, refreshToken: started.body.refreshToken });
    expect(refreshed).toMatchObject({ status: 200, body: { sessionId: started.body.sessionId } });
    const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty("d");
  }, 40_000);
});
