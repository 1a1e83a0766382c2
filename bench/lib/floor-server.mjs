// The HTTP floor of issue 5 part 3: a bare node:http server answering one fixed JSON body.
// Nothing tessera does per request can be cheaper than this, so it runs as its own process,
// the way `tessera dev` does, and every HTTP figure is shown as a ratio to it.
//   node bench/lib/floor-server.mjs [port]   -> prints "listening http://127.0.0.1:<port>"
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";

/** Shaped like a verify answer so the bytes on the wire are comparable. */
export const FLOOR_BODY = JSON.stringify({
  valid: true,
  data: { userId: "user-0001", plan: "pro" },
  sessionId: "00000000-0000-4000-8000-000000000000",
  expiresAt: "2030-01-01T00:00:00.000Z",
});

/** Starts the floor server in this process; resolves with its URL and a close(). */
export function startFloorServer(port = 0, hostname = "127.0.0.1") {
  const payload = Buffer.from(FLOOR_BODY);
  const server = createServer((req, res) => {
    // Read the request body as a real endpoint must before answering, then answer.
    req.on("data", () => {});
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": payload.length });
      res.end(payload);
    });
  });
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      const address = server.address();
      resolve({
        url: `http://${hostname}:${address.port}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url, close } = await startFloorServer(Number(process.argv[2] ?? 0));
  console.log(`listening ${url}`);
  const stop = () => void close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
