import { describe, expect, it } from "vitest";
import { createCors } from "../../src/server/http/cors.js";
import { isSessionError } from "../../src/shared/errors.js";
import { harness } from "./helpers.js";

const preflight = (origin: string | null, path = "/v1/sessions/start") =>
  new Request(`http://sessions.test${path}`, {
    method: "OPTIONS",
    headers: { ...(origin ? { origin } : {}), "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
  });

describe("CORS preflights", () => {
  it("refused with the JSON error shape of every other error, saying how to allow it, when CORS is off", async () => {
    const h = await harness();
    const response = await h.server.fetch(preflight("http://localhost:5173"));
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(await response.json()).toEqual({ error: { code: "FORBIDDEN", message: "cross-origin requests are off on this endpoint (set cors.origins)" } });
  });

  it("refused with a JSON 403 naming the origin when it is not listed", async () => {
    const h = await harness({ cors: { origins: ["https://app.example"] } });
    const response = await h.server.fetch(preflight("https://evil.example"));
    expect(response.status).toBe(403);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(await response.json()).toEqual({ error: { code: "FORBIDDEN", message: "origin https://evil.example is not in cors.origins" } });
  });

  it("`host:*` allows that scheme and host on any port, and nothing else", () => {
    const cors = createCors({ origins: ["http://localhost:*", "http://[::1]:*"] });
    const status = (origin: string) => cors.preflight(preflight(origin))!.status;
    expect(status("http://localhost:5173")).toBe(204);
    expect(status("http://localhost")).toBe(204);
    expect(status("http://[::1]:3000")).toBe(204);
    expect(cors.preflight(preflight("http://localhost:5173"))!.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    for (const origin of ["https://localhost:5173", "http://localhost.evil.example", "http://localhost:5173.evil.example", "http://127.0.0.1:5173", "http://localhost:"]) {
      expect(status(origin), origin).toBe(403);
    }
  });

  it("a request that is not a preflight passes; other origins get no Access-Control headers", async () => {
    const cors = createCors({ origins: ["https://app.example"] });
    expect(cors.preflight(new Request("http://x/v1/sessions", { method: "OPTIONS" }))).toBeNull();
    const plain = cors.decorate(new Request("http://x/", { headers: { origin: "https://evil.example" } }), new Response("{}"));
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
  });

  it.each([["https://app.example/"], ["app.example"], ["https://app.example/path"], ["http://localhost:**"]])("refuses the origin pattern %s at creation", (origin) => {
    let caught: unknown;
    try {
      createCors({ origins: [origin] });
    } catch (error) {
      caught = error;
    }
    expect(isSessionError(caught) && caught.code).toBe("INVALID_CONFIG");
  });
});
