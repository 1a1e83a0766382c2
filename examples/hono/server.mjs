import { serveNode } from "tessera-sessions/node";
import { createApp } from "./app.mjs";

// Node: the Hono app on node:http (any adapter works; @hono/node-server is the usual one).
// TESSERA_ENDPOINT: the sessions endpoint (`npx tessera dev` prints its URL and keys).
const endpoint = process.env.TESSERA_ENDPOINT ?? "http://127.0.0.1:8787";
const app = createApp({
  endpoint,
  issuer: process.env.TESSERA_ISSUER ?? "tessera-dev",
  env: process.env.TESSERA_ENV ?? "snd",
  secretKey: process.env.TESSERA_SECRET_KEY,
});
const server = await serveNode(app.fetch, { port: Number(process.env.PORT ?? 3000) });
console.log(`hono app on ${server.url}`);
process.once("SIGTERM", () => server.close().then(() => process.exit(0)));
process.once("SIGINT", () => server.close().then(() => process.exit(0)));
