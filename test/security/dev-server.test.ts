/**
 * Issue 10 §1, §2 and §17: `tessera dev`'s demo routes act with the secret key (they mint a
 * session for any identity and read anyone's timeline), so only the page itself, on this
 * machine, may reach them. Attacks: DNS-rebinding host names that merely start like loopback,
 * a remote peer that sends `Host: localhost` or an absolute-form target, and what the dev
 * server leaves readable on disk and in its log.
 */
import { request as httpRequest } from "node:http";
import { chmodSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDevHandler, isLoopbackAddress, isLoopbackHost } from "../../src/cli/dev-handler.js";
import { runDev, type RunningDev } from "../../src/cli/dev.js";
import { loggedPath } from "../../src/cli/request-log.js";
import { SEED_CONFIG } from "../../src/cli/seed-config.js";

const accessKeys = { secret: "tsk_SECRET", publishable: "tpk_publishable" };
const LOGIN_BODY = JSON.stringify({
  product: "my-product-tag",
  env: "snd",
  tag: "session-tag",
  data: { userId: "victim", details: { username: "victim", email: "victim@example.com" } },
});

function handlerWithPeer(peer: string | undefined) {
  const reached: string[] = [];
  const handler = createDevHandler({
    config: SEED_CONFIG,
    accessKeys,
    scriptFiles: [],
    peerAddress: () => peer,
    server: async (request) => {
      reached.push(new URL(request.url).pathname);
      return Response.json({}, { status: 201 });
    },
  });
  return { handler, reached };
}

describe("§1 DNS rebinding: only loopback literals and localhost are loopback hosts", () => {
  const rebindable = [
    "127.attacker.example", "127.0.0.1.nip.io", "127.0.0.1.attacker.example", "localhost.evil", "localhost.", "evil-localhost",
    "127.0.0.256", "127.0.0", "127.0.0.1.1", "127.00.0.1x", "0127.0.0.1", "[::1].evil", "[::2]", "::ffff:127.0.0.1.evil",
    "attacker.example", "", "127.0.0.1:port", "localhost:99999x",
  ];
  it.each(rebindable)("refuses %j", (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
  it.each(["localhost", "LOCALHOST", "127.0.0.1", "127.255.255.254", "127.1.2.3", "[::1]", "::1", "localhost:8787", "127.0.0.1:80", "[::1]:8787"])(
    "accepts %j",
    (host) => expect(isLoopbackHost(host)).toBe(true),
  );

  it.each(["127.attacker.example", "127.0.0.1.nip.io", "localhost.evil"])(
    "a rebound page on %s cannot log in or read activity",
    async (host) => {
      const { handler, reached } = handlerWithPeer("127.0.0.1");
      const login = await handler(new Request(`http://${host}:8787/demo/login`, { method: "POST", body: LOGIN_BODY, headers: { origin: `http://${host}:8787` } }));
      const activity = await handler(new Request(`http://${host}:8787/demo/activity?identifier=victim`));
      expect([login.status, activity.status]).toEqual([403, 403]);
      expect(reached).toEqual([]);
    },
  );
});

describe("§2 the demo routes decide from the socket's peer address, not from headers", () => {
  it("refuses a remote peer whatever Host it claims, and a request of unknown origin", async () => {
    for (const peer of ["192.0.2.7", "::ffff:192.0.2.7", "fd00::7", undefined]) {
      const { handler, reached } = handlerWithPeer(peer);
      const login = await handler(new Request("http://localhost:8787/demo/login", { method: "POST", body: LOGIN_BODY }));
      const config = await handler(new Request("http://127.0.0.1:8787/demo/config"));
      expect([login.status, config.status]).toEqual([403, 403]);
      expect(reached).toEqual([]);
    }
    expect(["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"].every(isLoopbackAddress)).toBe(true);
    expect(["192.0.2.7", "::ffff:192.0.2.7", "::", "0.0.0.0", "127.0.0.1.evil"].some(isLoopbackAddress)).toBe(false);
  });

  /** A raw HTTP/1.1 request: `Host` and the request target exactly as given. */
  function raw(options: { host: string; port: number; localAddress?: string; path: string; hostHeader: string; method?: string; body?: string }) {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: options.host,
          port: options.port,
          localAddress: options.localAddress,
          method: options.method ?? "GET",
          path: options.path,
          setHost: false,
          headers: { host: options.hostHeader, "content-type": "application/json" },
        },
        (res) => {
          let body = "";
          res.on("data", (chunk) => (body += chunk));
          res.on("end", () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on("error", reject);
      req.end(options.body);
    });
  }

  // The machine's own non-loopback address: a connection to it has that address as its peer,
  // exactly as a remote machine's would have a non-loopback one.
  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === "IPv4" && !i.internal)?.address;

  let dev: RunningDev | undefined;
  afterEach(async () => {
    await dev?.close();
    dev = undefined;
  });

  it("end to end over a socket: a non-loopback peer with Host: localhost or an absolute-form target gets 403, the loopback page gets its config", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tessera-dev-peer-"));
    const lines: string[] = [];
    dev = await runDev({ port: 0, host: "0.0.0.0", config: undefined, dataDir }, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    const port = Number(new URL(dev.url).port);
    // Over loopback the page works: the headers below are the same, only the peer differs.
    const local = await raw({ host: "127.0.0.1", port, path: "/demo/config", hostHeader: `localhost:${port}` });
    expect(local.status).toBe(200);
    expect(local.body).toContain(`"publishableKey"`);
    if (!external) throw new Error("this test needs a non-loopback IPv4 address on the machine");
    const attacks = [
      { path: "/demo/login", hostHeader: "localhost", method: "POST", body: LOGIN_BODY },
      { path: `http://localhost:${port}/demo/login`, hostHeader: `localhost:${port}`, method: "POST", body: LOGIN_BODY },
      { path: "http://127.0.0.1/demo/activity?identifier=victim", hostHeader: "127.0.0.1" },
      { path: "/demo/config", hostHeader: `127.0.0.1:${port}` },
    ];
    for (const attack of attacks) {
      const answer = await raw({ host: external, port, ...attack });
      expect(answer.status, attack.path).toBe(403);
      expect(answer.body).not.toContain("token");
    }
  });
});

describe("§17 what the dev server leaves on disk and in its log", () => {
  let dev: RunningDev | undefined;
  afterEach(async () => {
    await dev?.close();
    dev = undefined;
  });

  it("creates sessions.db and its -wal and -shm files owner-only (0600), and tightens an old 0644 database", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tessera-dev-mode-"));
    const lines: string[] = [];
    const output = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    dev = await runDev({ port: 0, host: "127.0.0.1", config: undefined, dataDir }, output);
    // A write, so the WAL and shared-memory files exist.
    const keys = JSON.parse(readFileSync(join(dataDir, "keys.json"), "utf8"));
    const started = await fetch(`${dev.url}/v1/sessions/start`, {
      method: "POST",
      headers: { authorization: `Bearer ${keys.accessKeys.secret}`, "content-type": "application/json" },
      body: LOGIN_BODY,
    });
    expect(started.status).toBe(201);
    for (const suffix of ["", "-wal", "-shm"]) {
      expect((statSync(join(dataDir, `sessions.db${suffix}`)).mode & 0o777).toString(8), suffix).toBe("600");
    }
    await dev.close();
    chmodSync(join(dataDir, "sessions.db"), 0o644);
    dev = await runDev({ port: 0, host: "127.0.0.1", config: undefined, dataDir }, output);
    expect((statSync(join(dataDir, "sessions.db")).mode & 0o777).toString(8)).toBe("600");
  });

  it("logs /v1/users/<identifier>/activity without the identifier", async () => {
    expect(loggedPath("/v1/users/alice%40example.com/activity")).toBe("/v1/users/:identifier/activity");
    expect(loggedPath("/v1/users/alice%40example.com")).toBe("/v1/users/:identifier");
    expect(loggedPath("/v1/users")).toBe("/v1/users");
    expect(loggedPath("/v1/sessions/start")).toBe("/v1/sessions/start");
    const dataDir = mkdtempSync(join(tmpdir(), "tessera-dev-log-"));
    const lines: string[] = [];
    dev = await runDev({ port: 0, host: "127.0.0.1", config: undefined, dataDir }, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    const answer = await fetch(`${dev.url}/v1/users/alice%40example.com/activity?product=my-product-tag&env=snd`);
    expect(answer.status).toBe(401);
    // The log is written in batches (request-log.ts): wait for the line.
    await vi.waitFor(() => expect(lines.filter((l) => l.startsWith("GET "))).toEqual([expect.stringMatching(/^GET \/v1\/users\/:identifier\/activity 401 \d+ms$/)]));
    expect(lines.join("\n")).not.toMatch(/alice/);
  });
});
