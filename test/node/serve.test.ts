import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeListener, serveNode, type FetchHandler, type NodeServer } from "../../src/node/index.ts";
import { createSessionServer, generateAccessKey, generateSecret, memoryStore, type SessionServerOptions } from "../../src/server/index.ts";
import { testKeys } from "../server/helpers.ts";

// tessera/node over a real loopback socket: serveNode, and nodeListener mounted in a plain
// node:http server (what an app or Express does). Both must behave the same.
const SECRET = generateAccessKey("secret");
const PRODUCT: SessionServerOptions["products"][number] = {
  tag: "p", envs: ["dev"],
  sessions: [{ tag: "s", schema: { userId: "string" }, selector: "$Session{userId}", expiry: 5, period: "mins" }],
};
const seen: { url: string; method: string; body: string; aborted: boolean }[] = [];

/** The endpoint, plus a few routes that show what the adapter hands over and writes back. */
async function makeHandler(): Promise<FetchHandler> {
  const server = createSessionServer({
    issuer: "http://127.0.0.1", keys: await testKeys(), secret: generateSecret(), store: memoryStore(),
    products: [PRODUCT], accessKeys: { secret: [SECRET] },
  });
  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/echo") {
      const body = await request.text();
      seen.push({ url: request.url, method: request.method, body, aborted: request.signal.aborted });
      const headers = new Headers({ "content-type": "application/json", "x-got": request.headers.get("x-multi") ?? "" });
      headers.append("set-cookie", "a=1; Path=/; HttpOnly");
      headers.append("set-cookie", "b=2, with comma; Path=/");
      return new Response(JSON.stringify({ method: request.method, url: request.url, length: body.length }), { status: 201, headers });
    }
    if (pathname === "/slow-read") {
      // Reads until the client goes away; the read must fail, not hang or crash the process.
      const outcome = await request.arrayBuffer().then(() => "read", () => "failed");
      seen.push({ url: request.url, method: request.method, body: outcome, aborted: request.signal.aborted });
      return new Response(outcome);
    }
    if (pathname === "/throws") throw new Error("boom with a secret tsk_not_in_output");
    return server.fetch(request);
  };
}

interface Target { name: string; url: string; close(): Promise<void> }
const targets: Target[] = [];

beforeAll(async () => {
  const handler = await makeHandler();
  const served: NodeServer = await serveNode(handler);
  targets.push({ name: "serveNode", url: served.url, close: served.close });
  const plain: Server = createServer(nodeListener(handler));
  plain.keepAliveTimeout = 5_000;
  await new Promise<void>((done) => plain.listen(0, "127.0.0.1", done));
  targets.push({
    name: "nodeListener in createServer",
    url: `http://127.0.0.1:${(plain.address() as AddressInfo).port}`,
    close: () => new Promise((done) => { plain.close(() => done()); plain.closeAllConnections(); }),
  });
});
afterAll(async () => {
  for (const t of targets) await t.close();
});

/** One raw request with node:http (fetch hides HEAD bodies and can't abort mid-upload). */
function raw(url: string, options: { method: string; path: string; headers?: Record<string, string | string[]>; body?: Buffer; agent?: boolean }) {
  return new Promise<{ res: IncomingMessage; body: Buffer }>((resolve, reject) => {
    const req = httpRequest(`${url}${options.path}`, { method: options.method, headers: options.headers, agent: options.agent === false ? false : undefined }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ res, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

const startBody = JSON.stringify({ product: "p", env: "dev", tag: "s", data: { userId: "u1" } });

describe.each(["serveNode", "nodeListener in createServer"])("%s", (name) => {
  const target = () => targets.find((t) => t.name === name)!;

  it("answers the endpoint over a socket: status, JSON body, headers", async () => {
    const response = await fetch(`${target().url}/v1/sessions/start`, {
      method: "POST", headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" }, body: startBody,
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const started = await response.json();
    expect(started.token).toMatch(/^s:eyJ/);
    const health = await fetch(`${target().url}/healthz`);
    expect(health.status).toBe(200);
    const denied = await fetch(`${target().url}/v1/sessions/start`, { method: "POST", headers: { "content-type": "application/json" }, body: startBody });
    expect(denied.status).toBe(401);
    expect((await denied.json()).error.code).toBeTypeOf("string");
  });

  it("keeps several set-cookie headers apart, and repeated request headers, query and method", async () => {
    const { res, body } = await raw(target().url, {
      method: "PUT", path: "/echo?x=1&y=2", headers: { "x-multi": ["one", "two"], "content-type": "text/plain" }, body: Buffer.from("hello"),
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers["set-cookie"]).toEqual(["a=1; Path=/; HttpOnly", "b=2, with comma; Path=/"]);
    expect(res.headers["x-got"]).toBe("one, two");
    expect(JSON.parse(body.toString())).toEqual({ method: "PUT", url: `${target().url}/echo?x=1&y=2`, length: 5 });
  });

  it("answers HEAD with the headers and no body", async () => {
    const { res, body } = await raw(target().url, { method: "HEAD", path: "/echo" });
    expect(res.statusCode).toBe(201);
    expect(res.headers["set-cookie"]).toHaveLength(2);
    expect(body.length).toBe(0);
  });

  it("refuses a 2 MB upload with the endpoint's 413, declared or chunked, and stays up", async () => {
    const big = JSON.stringify({ product: "p", env: "dev", tag: "s", data: { userId: "x".repeat(2 * 1024 * 1024) } });
    const declared = await fetch(`${target().url}/v1/sessions/start`, {
      method: "POST", headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" }, body: big,
    });
    expect(declared.status).toBe(413);
    expect((await declared.json()).error.code).toBe("PAYLOAD_TOO_LARGE");
    // No Content-Length: the limit is enforced while reading the stream.
    const chunks = new TextEncoder().encode(big);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < chunks.length; i += 65_536) controller.enqueue(chunks.subarray(i, i + 65_536));
        controller.close();
      },
    });
    const chunked = await fetch(`${target().url}/v1/sessions/start`, {
      method: "POST", headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" }, body: stream, duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await chunked.json()).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect((await fetch(`${target().url}/healthz`)).status).toBe(200);
  });

  it("survives an upload aborted halfway: the handler's read fails, the process and server go on", async () => {
    const before = seen.length;
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${target().url}/slow-read`, { method: "POST", headers: { "content-type": "application/json", "content-length": "1000000" } });
      req.on("error", () => resolve());
      req.write(Buffer.alloc(10_000, 97), () => setTimeout(() => { req.destroy(); resolve(); }, 50));
    });
    await expect.poll(() => seen.length, { timeout: 5_000 }).toBe(before + 1);
    expect(seen.at(-1)).toMatchObject({ body: "failed", aborted: true });
    expect((await fetch(`${target().url}/healthz`)).status).toBe(200);
  });

  it("answers a handler that throws with a 500 that names nothing", async () => {
    const response = await fetch(`${target().url}/throws`);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: "INTERNAL", message: "internal error" } });
    expect(text).not.toContain("tsk_");
  });
});

describe("nodeListener mounted like Express does", () => {
  it("routes on originalUrl when a mount path was stripped, and reads a body a parser already consumed", async () => {
    const handler = await makeHandler();
    const listener = nodeListener(handler);
    // What express.json() + app.use("/v1", ...) leave: req.url without "/v1", req.body parsed.
    const app = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        Object.assign(req, { originalUrl: req.url, url: req.url!.replace(/^\/v1/, ""), body: JSON.parse(Buffer.concat(chunks).toString()) });
        listener(req, res);
      });
    });
    await new Promise<void>((done) => app.listen(0, "127.0.0.1", done));
    const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    try {
      const response = await fetch(`${url}/v1/sessions/start`, {
        method: "POST", headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" }, body: startBody,
      });
      expect(response.status).toBe(201);
      expect((await response.json()).token).toMatch(/^s:eyJ/);
    } finally {
      await new Promise<void>((done) => { app.close(() => done()); app.closeAllConnections(); });
    }
  });
});

describe("nodeListener behind TLS", () => {
  it("gives the handler an https: URL when the socket is encrypted (an https.createServer)", async () => {
    const listener = nodeListener(await makeHandler());
    // A TLS socket has `encrypted: true`; simulated here, no certificate needed.
    const app = createServer((req, res) => {
      Object.defineProperty(req.socket, "encrypted", { value: true, configurable: true });
      listener(req, res);
    });
    await new Promise<void>((done) => app.listen(0, "127.0.0.1", done));
    const port = (app.address() as AddressInfo).port;
    try {
      const { body } = await raw(`http://127.0.0.1:${port}`, { method: "POST", path: "/echo", body: Buffer.from("x"), agent: false });
      expect(JSON.parse(body.toString()).url).toBe(`https://127.0.0.1:${port}/echo`);
    } finally {
      await new Promise<void>((done) => { app.close(() => done()); app.closeAllConnections(); });
    }
  });
});

describe("serveNode close()", () => {
  it("returns promptly with a keep-alive connection open", async () => {
    const server = await serveNode(() => new Response("ok"));
    const { res } = await raw(server.url, { method: "GET", path: "/", headers: { connection: "keep-alive" } });
    expect(res.headers.connection).toBe("keep-alive");
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it("rejects when the port is taken", async () => {
    const first = await serveNode(() => new Response("ok"));
    try {
      await expect(serveNode(() => new Response("ok"), { port: first.port })).rejects.toMatchObject({ code: "EADDRINUSE" });
    } finally {
      await first.close();
    }
  });
});
