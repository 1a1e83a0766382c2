import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll } from "vitest";
import { sessionAuth } from "../../src/express/index.js";
import { middlewareSuite } from "./middleware-suite.js";

// tessera-sessions/express with real Express 5 on a real socket.
const servers: import("node:http").Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
});

middlewareSuite(
  "express",
  async (options) => {
    const app = express();
    app.get("/protected", sessionAuth(options), (req, res) => {
      res.json(req.tessera);
    });
    const server = await new Promise<import("node:http").Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    servers.push(server);
    const { port } = server.address() as AddressInfo;
    return (path, headers = {}) => fetch(`http://127.0.0.1:${port}${path}`, { headers });
  },
  sessionAuth,
);
