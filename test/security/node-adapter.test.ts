import { connect } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync, brotliCompressSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDev, type RunningDev } from "../../src/cli/dev.ts";
import { serveNode, type NodeServer, type RefusedRequest } from "../../src/node/index.ts";
import { createSessionServer, generateAccessKey, generateSecret, memoryStore } from "../../src/server/index.ts";
import { testKeys } from "../server/helpers.ts";

// Requests node:http accepts but no fetch Request can represent (issue 10, item 16): they used to
// reach `new Request`, throw, and come back as a 500. Sent byte for byte over a socket, since
// fetch and node:http's client refuse to send most of them.
const SECRET = generateAccessKey("secret");
const START = JSON.stringify({ product: "p", env: "dev", tag: "s", data: { userId: "u1" } });

let served: NodeServer;
const refused: RefusedRequest[] = [];

beforeAll(async () => {
  const server = createSessionServer({
    issuer: "http://127.0.0.1", keys: await testKeys(), secret: generateSecret(), store: memoryStore(),
    products: [{ tag: "p", envs: ["dev"], sessions: [{ tag: "s", schema: { userId: "string" }, selector: "$Session{userId}", expiry: 5, period: "mins" }] }],
    accessKeys: { secret: [SECRET] },
  });
  served = await serveNode(server.fetch, { onRefused: (r) => refused.push(r) });
});
afterAll(() => served.close());

/** One request, written as raw bytes; resolves the status line, headers and body. */
function rawRequest(url: string, head: string, body: Buffer = Buffer.alloc(0)): Promise<{ status: number; headers: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const [headers, ...rest] = text.split("\r\n\r\n");
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), headers: headers ?? "", body: rest.join("\r\n\r\n") });
    });
    // Not end(): a half-closed socket would let the server drop a slower answer.
    socket.write(Buffer.concat([Buffer.from(`${head.replace(/\n/g, "\r\n")}\r\nConnection: close\r\n\r\n`, "latin1"), body]));
  });
}

describe("requests no fetch Request can represent get a 4xx, never a 500", () => {
  it("TRACK, which node:http's parser does not know, is its 400, not a 500", async () => {
    expect((await rawRequest(served.url, `TRACK / HTTP/1.1\nHost: 127.0.0.1`)).status).toBe(400);
  });

  it.each(["TRACE"])("%s is answered 405 with Allow, and told to onRefused", async (method) => {
    const answer = await rawRequest(served.url, `${method} /v1/sessions/start HTTP/1.1\nHost: 127.0.0.1\nAuthorization: Bearer ${SECRET}`);
    expect(answer.status).toBe(405);
    expect(answer.headers).toMatch(/\r\nallow: GET, HEAD, POST/i);
    expect(JSON.parse(answer.body).error.code).toBe("METHOD_NOT_ALLOWED");
    // TRACE must not echo the request (RFC 9110 §9.3.8): the key sent must not come back.
    expect(answer.body + answer.headers).not.toContain(SECRET);
    expect(refused.at(-1)).toEqual({ method, path: "/v1/sessions/start", status: 405, code: "METHOD_NOT_ALLOWED" });
  });

  it.each(["exa mple", "user@host", "[::1", "host:port", "a/b", "[::1]x", ""])("Host %j is answered 400 naming Host", async (host) => {
    const answer = await rawRequest(served.url, `GET /healthz?token=abc HTTP/1.1\nHost: ${host}`);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatchObject({ code: "INVALID_ARGUMENT", field: "Host" });
    // Logged by path only: a query may carry a token or an identifier.
    expect(refused.at(-1)).toEqual({ method: "GET", path: "/healthz", status: 400, code: "INVALID_ARGUMENT" });
  });

  it("answers an absolute-form target with credentials 400, and serves a plain one", async () => {
    expect((await rawRequest(served.url, `GET http://user:pw@127.0.0.1/healthz HTTP/1.1\nHost: 127.0.0.1`)).status).toBe(400);
    expect((await rawRequest(served.url, `GET * HTTP/1.1\nHost: 127.0.0.1`)).status).toBe(400);
    expect((await rawRequest(served.url, `GET http://127.0.0.1/healthz HTTP/1.1\nHost: 127.0.0.1`)).status).toBe(200);
  });

  it("still serves valid hosts: names, IPv4, bracketed IPv6, with and without a port", async () => {
    for (const host of ["localhost", "127.0.0.1:8080", "[::1]", "[::1]:443", "api.example.com", "xn--bcher-kva.example"]) {
      const answer = await rawRequest(served.url, `GET /healthz HTTP/1.1\nHost: ${host}`);
      expect(answer.status, host).toBe(200);
    }
  });
});

describe("compressed request bodies", () => {
  const send = (encoding: string, body: Buffer) =>
    rawRequest(
      served.url,
      `POST /v1/sessions/start HTTP/1.1\nHost: 127.0.0.1\nAuthorization: Bearer ${SECRET}\nContent-Type: application/json\nContent-Encoding: ${encoding}\nContent-Length: ${body.length}`,
      body,
    );

  it.each([
    ["gzip", gzipSync(START)],
    ["br", brotliCompressSync(START)],
    ["x-unknown", Buffer.from(START)],
    ["GZIP, identity", gzipSync(START)],
  ])("Content-Encoding %s is answered 415 saying compression is not supported", async (encoding, body) => {
    const answer = await send(encoding, body);
    expect(answer.status).toBe(415);
    const error = JSON.parse(answer.body).error;
    expect(error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(error.message).toMatch(/Content-Encoding is not supported/);
    expect(error.message).not.toMatch(/UTF-8/);
  });

  it("Content-Encoding: identity is plain JSON, and starts the session", async () => {
    expect((await send("identity", Buffer.from(START))).status).toBe(201);
  });
});

describe("tessera dev logs the adapter's refusals", () => {
  let dir: string;
  let dev: RunningDev;
  const lines: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tessera-adapter-"));
    dev = await runDev(
      { port: 0, host: "127.0.0.1", config: undefined, dataDir: join(dir, ".tessera"), workers: 1 },
      { out: (line) => lines.push(...line.split("\n")), err: (line) => lines.push(line) },
    );
  });
  afterAll(async () => {
    await dev.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes a line for TRACE and for a malformed Host, without the query", async () => {
    expect((await rawRequest(dev.url, `TRACE /v1/sessions HTTP/1.1\nHost: 127.0.0.1`)).status).toBe(405);
    expect((await rawRequest(dev.url, `GET /v1/users?identifier=alice HTTP/1.1\nHost: exa mple`)).status).toBe(400);
    await expect.poll(() => lines.join("\n")).toMatch(/^TRACE \/v1\/sessions 405 0ms/m);
    await expect.poll(() => lines.join("\n")).toMatch(/^GET \/v1\/users 400 0ms/m);
    expect(lines.join("\n")).not.toContain("alice");
  });
});
