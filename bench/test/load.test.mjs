// loadTest against real sockets on loopback: what it sends, not how fast (no timing assertions).
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { loadTest, percentile } from "../lib/load.mjs";
import { startServerProcess } from "../lib/server-process.mjs";
import { FLOOR_BODY } from "../lib/floor-server.mjs";

let server;
let url;
const received = [];

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({ method: req.method, body, auth: req.headers.authorization, type: req.headers["content-type"] });
      res.writeHead(body.includes('"fail"') ? 409 : 200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${server.address().port}/v1/sessions/refresh`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

test("a single-use pool sends every body exactly once, then stops", async () => {
  received.length = 0;
  const bodies = Array.from({ length: 300 }, (_, i) => ({ refreshToken: `rt-${i}` }));
  const result = await loadTest({ url, bodies, headers: { authorization: "Bearer tpk_test" }, duration: 10, connections: 8 });
  assert.equal(result.requests, 300);
  assert.equal(result.poolSpent, true);
  assert.equal(result.non2xx, 0);
  const tokens = received.map((r) => JSON.parse(r.body).refreshToken);
  assert.equal(tokens.length, 300);
  assert.equal(new Set(tokens).size, 300);
  assert.ok(received.every((r) => r.method === "POST" && r.auth === "Bearer tpk_test" && r.type === "application/json"));
});

test("a pool smaller than the connection count still runs (connections are reduced)", async () => {
  received.length = 0;
  const result = await loadTest({ url, bodies: ["{\"a\":1}", "{\"a\":2}"], connections: 10, duration: 5 });
  assert.equal(result.requests, 2);
  assert.deepEqual(received.map((r) => r.body).sort(), ['{"a":1}', '{"a":2}']);
});

test("onResponse sees each measured answer's status and body (how the refresh pool is collected)", async () => {
  const seen = [];
  const result = await loadTest({ url, bodies: [{ n: 1 }, { n: 2 }, { x: "fail" }], connections: 1, duration: 5, onResponse: (status, body) => seen.push([status, body]) });
  assert.equal(result.requests, 3);
  assert.deepEqual(seen.map(([status]) => status).sort(), [200, 200, 409]);
  assert.ok(seen.every(([, body]) => body === "{}"));
});

test("non-2xx answers are counted, not hidden", async () => {
  received.length = 0;
  const result = await loadTest({ url, bodies: [{ x: "ok" }, { x: "fail" }, { x: "fail" }], connections: 1, duration: 5 });
  assert.equal(result.requests, 3);
  assert.equal(result.non2xx, 2);
});

test("loopback only, and body xor bodies", async () => {
  await assert.rejects(loadTest({ url: "http://example.com/", duration: 1 }), /loopback only/);
  await assert.rejects(loadTest({ url, body: "{}", bodies: ["{}"], duration: 1 }), /not both/);
  await assert.rejects(loadTest({ url, bodies: [], duration: 1 }), /non-empty/);
});

test("the floor server runs as a child process, prints its URL and answers its fixed body", async () => {
  const floor = await startServerProcess(process.execPath, [new URL("../lib/floor-server.mjs", import.meta.url).pathname]);
  try {
    assert.match(floor.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await fetch(`${floor.url}/anything`, { method: "POST", body: "{}" });
    assert.equal(await answer.text(), FLOOR_BODY);
    const result = await loadTest({ url: floor.url, body: { token: "t" }, duration: 1, connections: 2 });
    assert.ok(result.requests > 0);
    assert.equal(result.non2xx + result.errors, 0);
    assert.ok(result.p50 <= result.p99);
  } finally {
    await floor.stop();
  }
  await assert.rejects(fetch(floor.url), /fetch failed/);
});

test("percentile uses nearest rank", () => {
  assert.equal(percentile([5, 1, 4, 2, 3], 0.5), 3);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99), 10);
  assert.equal(percentile([], 0.5), null);
});
