import { describe, expect, it } from "vitest";
import { runIn, scratchProject } from "../support/tarball.ts";

// The smallest route a user takes: install the tarball, import every neutral entry point from
// Node, start a session in-process. Fails when the package's files, exports or runtime
// dependencies are wrong, which tests of src/ cannot see.
describe("the packed package in a fresh Node project", () => {
  it("imports every entry point and serves the seed call in-process", async () => {
    const dir = await scratchProject({
      name: "node-esm",
      files: {
        "main.mjs": `
import { createClient } from "tessera-sessions";
import { memoryStorage } from "tessera-sessions/storage";
import { createSessionServer, memoryStore, generateSigningKey, generateSecret, generateAccessKey } from "tessera-sessions/server";
import { verifySessionToken } from "tessera-sessions/verify";
import { nodeListener } from "tessera-sessions/node";
const secretKey = generateAccessKey("secret");
const server = createSessionServer({
  issuer: "http://sessions.test", keys: [await generateSigningKey()], secret: generateSecret(), store: memoryStore(),
  products: [{ tag: "my-product-tag", envs: ["snd"], sessions: [{ tag: "session-tag", schema: { userId: "string" }, selector: "$Session{userId}", expiry: 15, period: "mins" }] }],
  accessKeys: { secret: [secretKey] },
});
const client = createClient({ baseUrl: "http://sessions.test", accessKey: secretKey, storage: memoryStorage(), fetch: (input, init) => server.fetch(new Request(input, init)) });
const started = await client.sessions.start({ product: "my-product-tag", env: "snd", tag: "session-tag", data: { userId: "u1" } });
console.log(JSON.stringify({ token: started.token.startsWith("session-tag:"), listener: typeof nodeListener, verify: typeof verifySessionToken }));
client.close();
`,
      },
    });
    const { stdout } = await runIn(dir, "node", ["main.mjs"]);
    expect(JSON.parse(stdout.trim())).toEqual({ token: true, listener: "function", verify: "function" });
  }, 180_000);
});
