// One tessera endpoint (SQLite in a tmp dir, or memory; the seed config, one ES256 key) served
// over node:http by the adapter named on the command line, as its own process:
//   node bench/lib/adapter-server.mjs tessera|hono|fixed [sqlite|memory]
// `fixed`: serveNode around a fetch handler that reads the JSON body and answers a fixed
// 201 JSON of a start answer's size: what the adapter and the Request/Response objects cost.
// prints "listening <url>", then "secret key <k>" and "publishable key <k>" (the shape
// bench/lib/tessera-dev.mjs reads). No request log: this measures the adapter alone.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importSource } from "./bundle.mjs";
import { ISSUER, PRODUCTS } from "./inprocess.mjs";

const adapter = process.argv[2] ?? "tessera";
const m = await importSource("src/server/index.ts", "server");
const dir = mkdtempSync(join(tmpdir(), "tessera-adapter-"));
const store = process.argv[3] === "memory" ? m.memoryStore() : m.sqliteStore({ path: join(dir, "tessera.db") });
const secretKey = m.generateAccessKey("secret");
const publishableKey = m.generateAccessKey("publishable");
const server = m.createSessionServer({
  issuer: ISSUER,
  keys: [await m.generateSigningKey("ES256")],
  secret: m.generateSecret(),
  store,
  products: PRODUCTS,
  accessKeys: { secret: [secretKey], publishable: [publishableKey] },
});
await server.purge(); // opens the database before the first request, as tessera dev does

let url;
let close;
if (adapter === "hono") {
  const { serve } = await import("@hono/node-server");
  await new Promise((resolve) => {
    const http = serve({ fetch: server.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
      url = `http://127.0.0.1:${info.port}`;
      close = () => new Promise((done) => http.close(() => done()));
      resolve();
    });
  });
} else {
  const { serveNode } = await importSource("src/node/index.ts", "node");
  const answer = JSON.stringify({ token: "x".repeat(900), refreshToken: "y".repeat(60) });
  const fixed = async (request) => {
    await request.json();
    return new Response(answer, { status: 201, headers: { "content-type": "application/json; charset=utf-8", "content-length": String(answer.length) } });
  };
  const http = await serveNode(adapter === "fixed" ? fixed : server.fetch, { port: 0 });
  url = http.url;
  close = http.close;
}
process.stdout.write(`listening ${url}\nsecret key      ${secretKey}\npublishable key ${publishableKey}\n`);
process.once("SIGTERM", async () => {
  await close();
  await server.flush();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
