import { Hono } from "hono";
import { sessionAuth, type SessionVariables } from "../../src/hono/index.js";
import { middlewareSuite } from "./middleware-suite.js";

// tessera-sessions/hono in Node, through Hono's own in-process `app.request` (no socket).
// The same app runs in workerd in test/runtimes/workers/hono.test.ts.
middlewareSuite(
  "hono",
  async (options) => {
    const app = new Hono<{ Variables: SessionVariables }>();
    app.use("/protected", sessionAuth(options));
    app.get("/protected", (c) => c.json(c.var.session));
    return async (path, headers = {}) => app.request(path, { headers });
  },
  sessionAuth,
);
