/**
 * A JWKS that is down, answers 500, answers non-JSON or redirects is an outage of the verifier,
 * not a forged token: verifySessionToken throws VERIFY_FAILED (docs/errors.md), never answers
 * `{ valid: false, reason: "malformed" }`, and does not ask the failing URL again on every call.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { isSessionError } from "../../src/shared/errors.js";
import { verifySessionToken } from "../../src/verify/index.js";
import { harness, SCOPE, type Harness } from "../server/helpers.js";

const ISSUER = "http://127.0.0.1:8787";
let h: Harness;
let token: string;
let jwksText: string;
let server: Server;
let base: string;
const hits = new Map<string, number>();
let healthy = false;

beforeAll(async () => {
  h = await harness();
  token = (await h.start()).token;
  jwksText = await (await h.call("GET", "/.well-known/jwks.json")).text();
  server = createServer((req, res) => {
    const path = req.url ?? "/";
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (healthy || path.startsWith("/good")) return void res.writeHead(200, { "content-type": "application/json" }).end(jwksText);
    if (path.startsWith("/error")) return void res.writeHead(500, { "content-type": "application/json" }).end('{"error":"down"}');
    if (path.startsWith("/html")) return void res.writeHead(200, { "content-type": "text/html" }).end("<html>maintenance</html>");
    if (path.startsWith("/redirect")) return void res.writeHead(302, { location: `${base}/good${path}` }).end();
    if (path.startsWith("/not-a-set")) return void res.writeHead(200, { "content-type": "application/json" }).end('{"keys":"no"}');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  vi.useRealTimers();
  healthy = false;
});

async function outcome(jwksUrl: string): Promise<string> {
  try {
    const result = await verifySessionToken(token, { jwksUrl, issuer: ISSUER, ...SCOPE, now: h.clock.now });
    return result.valid ? "valid" : `invalid:${result.reason}`;
  } catch (error) {
    return isSessionError(error) ? error.code : `threw ${String(error)}`;
  }
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/.well-known/jwks.json`;
}

describe("JWKS outages", () => {
  it("unreachable, 500, HTML, a redirect and a non-JWKS body are VERIFY_FAILED, not malformed", async () => {
    const cases = {
      unreachable: await closedPort(),
      "500": `${base}/error/jwks.json`,
      "non-JSON": `${base}/html/jwks.json`,
      redirect: `${base}/redirect/jwks.json`,
      "not a key set": `${base}/not-a-set/jwks.json`,
    };
    const seen: Record<string, string> = {};
    for (const [name, url] of Object.entries(cases)) seen[name] = await outcome(url);
    expect(seen).toEqual({ unreachable: "VERIFY_FAILED", "500": "VERIFY_FAILED", "non-JSON": "VERIFY_FAILED", redirect: "VERIFY_FAILED", "not a key set": "VERIFY_FAILED" });
    // The same token against a healthy JWKS: valid. A forged token against it: still an answer.
    expect(await outcome(`${base}/good/jwks.json`)).toBe("valid");
  });

  it("a failing JWKS is asked once per 10 s, not once per verification, and recovery is seen after that", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2026, 5, 1));
    const path = "/error/cached.json";
    const url = `${base}${path}`;
    const answers = [];
    for (let i = 0; i < 25; i++) answers.push(await outcome(url));
    expect(new Set(answers)).toEqual(new Set(["VERIFY_FAILED"]));
    expect(hits.get(path)).toBe(1);

    healthy = true; // the JWKS is back
    vi.setSystemTime(Date.UTC(2026, 5, 1) + 9_000);
    expect(await outcome(url)).toBe("VERIFY_FAILED"); // still inside the negative cache
    expect(hits.get(path)).toBe(1);
    vi.setSystemTime(Date.UTC(2026, 5, 1) + 10_001);
    expect(await outcome(url)).toBe("valid");
    expect(hits.get(path)).toBe(2);
  });
});
