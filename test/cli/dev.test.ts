import { createServer } from "node:net";
import { readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, post, root, runCli, seedStart, startDev, tempDir, type DevProcess } from "./spawn-dev.js";

const running: DevProcess[] = [];
async function dev(args: string[], cwd: string): Promise<DevProcess> {
  const process = await startDev(args, cwd);
  running.push(process);
  return process;
}

beforeAll(ensureBuilt, 120_000);
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop("SIGKILL")));
});

describe("tessera dev", () => {
  it("answers the seed page's call, made with the printed secret key, with a session-tag:eyJ token", async () => {
    const cwd = tempDir();
    const server = await dev(["--port", "0", "--data-dir", join(cwd, ".tessera")], cwd);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.stdout()).toContain("built-in seed config");
    // The banner's curl line carries the same call.
    expect(server.stdout()).toContain(`curl -s ${server.url}/v1/sessions/start -H 'Authorization: Bearer ${server.secretKey}'`);

    const { status, json } = await post(`${server.url}/v1/sessions/start`, server.secretKey, seedStart);
    expect(status).toBe(201);
    expect(json.token).toMatch(/^session-tag:eyJ/);
    expect(json.refreshToken).toMatch(/^session-tag:/);
    expect(typeof json.sessionId).toBe("string");
    // The request log names the route, never a key or token.
    await expect.poll(() => server.stdout()).toMatch(/POST \/v1\/sessions\/start 201 \d+ms/);
    expect(server.stdout().split("listening")[1]).not.toContain(json.token.slice(12));
  });

  it("creates .tessera/ (0700) with keys.json (0600) and sessions.db, and reuses them: a token from run 1 verifies in run 2", async () => {
    const cwd = tempDir();
    const dataDir = join(cwd, ".tessera");
    const first = await dev(["--port", "0", "--data-dir", dataDir], cwd);
    expect(first.stdout()).toContain("new dev keys generated");
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, "keys.json")).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dataDir, "sessions.db"))).toBe(true);
    const stored = JSON.parse(readFileSync(join(dataDir, "keys.json"), "utf8"));
    expect(stored.accessKeys).toEqual({ secret: first.secretKey, publishable: first.publishableKey });
    expect(stored.signingKeys[0]).toMatchObject({ kty: "EC", alg: "ES256" });

    const started = await post(`${first.url}/v1/sessions/start`, first.secretKey, seedStart);
    expect(started.status).toBe(201);
    expect(await first.stop("SIGTERM")).toBe(0);

    const second = await dev(["--port", "0", "--data-dir", dataDir], cwd);
    expect(second.stdout()).not.toContain("new dev keys generated");
    expect(second.secretKey).toBe(first.secretKey);
    expect(second.publishableKey).toBe(first.publishableKey);
    const { data: _data, ...scope } = seedStart;
    const verified = await post(`${second.url}/v1/sessions/verify`, second.publishableKey, { ...scope, token: started.json.token });
    expect(verified.status).toBe(200);
    expect(verified.json).toMatchObject({ valid: true, sessionId: started.json.sessionId, identifier: "1919102009383" });
    // And the session row survived in SQLite: its refresh token still rotates.
    const refreshed = await post(`${second.url}/v1/sessions/refresh`, second.publishableKey, { ...scope, refreshToken: started.json.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.refreshToken).not.toBe(started.json.refreshToken);
  });

  it("says a taken port is in use and suggests the next one, exit 1", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const cwd = tempDir();
      const result = await runCli(["dev", "--port", String(port), "--data-dir", join(cwd, "d")], cwd);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`tessera: port ${port} is in use; try --port ${port + 1}\n`);
    } finally {
      blocker.close();
    }
  });

  it.each([
    ["a missing file", undefined, /^tessera: nope\.json: config file not found\n$/],
    ["a file that is not JSON", "{ \"products\": [ ", /^tessera: nope\.json: not valid JSON \(.+\)\n$/],
    [
      "a config createSessionServer refuses",
      JSON.stringify({
        products: [
          {
            tag: "my-product-tag",
            envs: ["dev"],
            sessions: [{ tag: "t", schema: { userId: "string" }, selector: "$Session{nope}", expiry: 15, period: "mins" }],
          },
        ],
      }),
      /^tessera: nope\.json: .*(selector|nope).*\n$/,
    ],
  ])("refuses %s with one line naming the file, exit 1", async (_name, text, message) => {
    const cwd = tempDir();
    if (text !== undefined) writeFileSync(join(cwd, "nope.json"), text);
    const result = await runCli(["dev", "--port", "0", "--config", "nope.json", "--data-dir", join(cwd, "d")], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe("");
    // A bad config leaves no data dir behind.
    expect(existsSync(join(cwd, "d"))).toBe(false);
  });

  it("uses examples/tessera.config.json as npm start does", async () => {
    const cwd = tempDir();
    const server = await dev(["--port", "0", "--config", join(root, "examples/tessera.config.json"), "--data-dir", join(cwd, "d")], cwd);
    expect(server.stdout()).toContain("examples/tessera.config.json");
    const guest = await post(`${server.url}/v1/sessions/start`, server.publishableKey, {
      product: "my-product-tag",
      env: "dev",
      tag: "guest",
      data: { userId: "guest-1" },
    });
    expect(guest.status).toBe(201); // public: true lets a publishable key start it
    const refused = await post(`${server.url}/v1/sessions/start`, server.publishableKey, seedStart);
    expect(refused.status).toBe(403);
  });

  it.each(["SIGTERM", "SIGINT"] as const)("closes the server and the database on %s and exits 0", async (signal) => {
    const cwd = tempDir();
    const server = await dev(["--port", "0", "--data-dir", join(cwd, "d")], cwd);
    expect(await server.stop(signal)).toBe(0);
    expect(server.stdout()).toContain(`${signal}: stopping tessera dev`);
    expect(server.stderr()).toBe("");
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it("serves the demo page with its bundled script, and the script-tag build for other pages", async () => {
    const cwd = tempDir();
    const server = await dev(["--port", "0", "--data-dir", join(cwd, "d")], cwd);
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script src="/demo/app.js"></script>');
    expect((await fetch(`${server.url}/demo/app.js`)).status).toBe(200);
    expect(html).not.toContain(server.secretKey);
    const script = await fetch(`${server.url}/tessera.global.js`);
    expect(script.status).toBe(200);
    expect(await script.text()).toContain("Tessera");
    const config = await (await fetch(`${server.url}/demo/config`)).text();
    expect(config).toContain(server.publishableKey);
    expect(config).not.toContain(server.secretKey);
  });
});

describe("tessera (no server)", () => {
  it("prints help and the version, exit 0", async () => {
    const cwd = tempDir();
    const help = await runCli(["--help"], cwd);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: tessera <command>/);
    expect(help.stdout).toContain("--data-dir");
    const version = await runCli(["--version"], cwd);
    expect(version.code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(version.stdout).toBe(`tessera ${pkg.version}\n`);
  });

  it.each([
    [["dev", "--bogus"], "tessera: unknown option --bogus (try: tessera --help)\n"],
    [["deploy"], 'tessera: unknown command "deploy" (try: tessera --help)\n'],
  ])("refuses %j with one line on stderr, exit 2", async (args, line) => {
    const result = await runCli(args, tempDir());
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(line);
    expect(result.stdout).toBe("");
  });
});

describe("tessera dev --workers 2", () => {
  it("serves one port from two processes over one SQLite file, and writes every activity event before exiting", async () => {
    const cwd = tempDir();
    const dataDir = join(cwd, ".tessera");
    const server = await dev(["--port", "0", "--data-dir", dataDir, "--workers", "2"], cwd);
    await expect.poll(() => server.stdout()).toMatch(/2 worker processes serve http:\/\/127\.0\.0\.1:\d+/);
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(`${server.url}/v1/sessions/start`, server.secretKey, seedStart)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    // A token minted by one worker verifies in whichever worker answers (same keys, same file).
    for (const { json } of answers.slice(0, 4)) {
      const verified = await post(`${server.url}/v1/sessions/verify`, server.publishableKey, { ...seedScope(), token: json.token });
      expect(verified.json.valid).toBe(true);
    }
    expect(await server.stop("SIGTERM")).toBe(0);
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(join(dataDir, "sessions.db"), { readonly: true });
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    expect(count("SELECT count(*) AS n FROM tessera_sessions")).toBe(20);
    expect(count("SELECT count(*) AS n FROM tessera_activity WHERE operation = 'create'")).toBe(20);
    expect(count("SELECT count(*) AS n FROM tessera_activity WHERE operation = 'verify'")).toBe(4);
    db.close();
  });
});

function seedScope() {
  const { product, env, tag } = seedStart as { product: string; env: string; tag: string };
  return { product, env, tag };
}
