import { describe, expect, it } from "vitest";
import { devCors, LOOPBACK_ORIGINS } from "../../src/cli/dev-cors.js";
import { createCors } from "../../src/server/http/cors.js";

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
});
