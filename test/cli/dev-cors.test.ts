import { describe, expect, it } from "vitest";
import { devCors, LOOPBACK_ORIGINS } from "../../src/cli/dev-cors.js";
import { createCors } from "../../src/server/http/cors.js";
import { createClient, dpopKey } from "../../src/index.js";
import { createSessionServer, generateAccessKey, generateSecret, generateSigningKey, memoryStore } from "../../src/server/index.js";
import { loadConfig } from "../../src/cli/config-file.js";
import { SEED_CONFIG } from "../../src/cli/seed-config.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("tessera dev's CORS origins", () => {
  it("loopback pages on any port by default, then the config file's origins and each --cors", () => {
    expect(devCors(undefined, [])).toEqual({ origins: LOOPBACK_ORIGINS });
    expect(devCors({ origins: ["https://a.example"], maxAgeSeconds: 5 }, ["https://b.example"])).toEqual({
      origins: [...LOOPBACK_ORIGINS, "https://a.example", "https://b.example"],
      maxAgeSeconds: 5,
    });
    expect(devCors({ origins: "*" }, [])).toEqual({ origins: "*" });
    expect(devCors(undefined, ["*"])).toEqual({ origins: "*" });
  });

  it("passes a malformed `cors` on unchanged, for createSessionServer to name", () => {
    expect(devCors("yes", [])).toBe("yes");
    expect(devCors({ origins: "https://a.example" }, [])).toEqual({ origins: "https://a.example" });
  });

  it("the default allows http://localhost:5173, http://127.0.0.1:3000 and http://[::1]:8080, not a look-alike", () => {
    const cors = createCors(devCors(undefined, []) as never);
    const status = (origin: string) =>
      cors.preflight(new Request("http://127.0.0.1:8787/v1/sessions/start", { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } }))!.status;
    for (const origin of ["http://localhost:5173", "http://127.0.0.1:3000", "http://[::1]:8080"]) expect(status(origin)).toBe(204);
    for (const origin of ["http://localhost.example:5173", "https://example.com", "http://127.0.0.2:3000", "null"]) expect(status(origin)).toBe(403);
  });

  it("with `dpop: { nonces: true }` in the config file, a page on another loopback port can read the nonce every answer hands out", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-dev-nonces-"));
    writeFileSync(join(dir, "tessera.config.json"), JSON.stringify({ ...SEED_CONFIG, dpop: { nonces: true } }));
    const { config } = loadConfig(undefined, dir);
    expect(config.dpop).toEqual({ nonces: true });
    const secret = generateAccessKey("secret");
    const server = createSessionServer({
      issuer: config.issuer,
      keys: [await generateSigningKey()],
      secret: generateSecret(),
      store: memoryStore(),
      products: config.products as never,
      cors: devCors(config.cors, []) as never,
      dpop: config.dpop as never,
      accessKeys: { secret: [secret], publishable: [generateAccessKey("publishable")] },
    });
    const answers: Response[] = [];
    const client = createClient({
      baseUrl: "http://127.0.0.1:8787",
      accessKey: secret,
      product: "my-product-tag",
      env: "snd",
      dpop: dpopKey({ database: false }),
      // As a page on http://localhost:5173 calls it: with its Origin.
      fetch: async (request) => {
        const headers = new Headers(request.headers);
        headers.set("origin", "http://localhost:5173");
        const answer = await server.fetch(new Request(request, { headers }));
        answers.push(answer.clone());
        return answer;
      },
    });
    try {
      await client.sessions.start({ tag: "web", data: { userId: "1", details: { email: "a@b.example" } } });
      await client.sessions.refresh({ tag: "web" });
    } finally {
      client.close();
    }
    expect(answers.map((a) => a.status)).toEqual([401, 201, 200]);
    for (const answer of answers) {
      expect(answer.headers.get("dpop-nonce")).toMatch(/^[\w-]{20,}$/);
      expect(answer.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
      expect(answer.headers.get("access-control-expose-headers")).toContain("dpop-nonce");
    }
  });
});
