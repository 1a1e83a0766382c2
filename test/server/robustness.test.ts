import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { harness, PUBLISHABLE_KEY, SCOPE, SECRET_KEY } from "./helpers.js";

const PATHS = ["/v1/sessions/start", "/v1/sessions/refresh", "/v1/sessions/verify", "/v1/sessions/revoke", "/v1/sessions/revoke-all", "/v1/sessions/track", "/v1/sessions", "/v1/users", "/v1/users/%E0%A4%A/activity", "/v1/users/x/activity", "/.well-known/jwks.json", "/healthz", "/", "/v1//sessions"];

describe("no input yields a 500", () => {
  it("survives arbitrary bodies, methods, headers and queries", async () => {
    const h = await harness();
    const started = await h.start();
    const json = fc.jsonValue({ maxDepth: 4 });
    const token = fc.constantFrom(started.token, started.refreshToken, `${started.token}x`, "session-tag:", ":", "a:b:c", "session-tag:eyJ.eyJ.", "");
    const body = fc.oneof(
      json.map((v) => JSON.stringify(v)),
      fc.record({ product: fc.constantFrom(SCOPE.product, "x", 1), env: fc.constantFrom(SCOPE.env, null), tag: fc.constantFrom(SCOPE.tag, "guest", {}), data: json, token, refreshToken: token, sessionId: fc.oneof(token, json), identifier: fc.oneof(fc.string(), json), action: fc.oneof(fc.string(), json) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
      fc.string(),
      fc.uint8Array({ maxLength: 64 }).map((b) => new TextDecoder("latin1").decode(b)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PATHS),
        fc.constantFrom("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"),
        body,
        fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", ""),
        fc.constantFrom(`Bearer ${SECRET_KEY}`, `Bearer ${PUBLISHABLE_KEY}`, "Bearer", "Bearer tsk_x", `Session ${started.token}`, "", "Basic x"),
        fc.dictionary(fc.constantFrom("page", "limit", "product", "env", "tag", "from", "to", "identifier", "status"), fc.oneof(fc.string(), fc.constantFrom(SCOPE.product, SCOPE.env, SCOPE.tag, "0", "-1", "99999999999"))),
        fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
        async (path, method, text, type, auth, query, idem) => {
          const headers: Record<string, string> = {};
          if (type) headers["content-type"] = type;
          if (auth) headers.authorization = auth;
          if (idem !== undefined) headers["idempotency-key"] = idem;
          let request: Request;
          try {
            request = new Request(`http://127.0.0.1${path}?${new URLSearchParams(query)}`, {
              method,
              headers,
              ...(method === "GET" || method === "HEAD" ? {} : { body: text }),
            });
          } catch {
            return; // not expressible as a Request (e.g. a header with a newline)
          }
          const response = await h.server.fetch(request);
          expect(response.status).toBeLessThan(500);
          if (method !== "HEAD" && response.status >= 400) {
            const error = (await response.json()).error;
            expect(typeof error.code).toBe("string");
            for (const secret of [started.refreshToken, SECRET_KEY, PUBLISHABLE_KEY, started.token.split(":")[1]!]) {
              expect(error.message).not.toContain(secret);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
    expect(h.errors).toEqual([]);
  });
});

describe("unexpected failures", () => {
  it("answer a generic 500 and reach onError, without details", async () => {
    const { memoryStore } = await import("../../src/server/index.js");
    const store = memoryStore();
    const broken = { ...store, getSession: async () => { throw new Error("disk on fire at /var/db with secret sauce"); } };
    const h = await harness({ store: broken });
    const started = await h.start();
    const response = await h.call("POST", "/v1/sessions/verify", { ...SCOPE, token: started.token });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: "INTERNAL", message: "internal error" } });
    expect(text).not.toContain("disk");
    expect(h.errors).toHaveLength(1);
    expect(String(h.errors[0])).toContain("disk on fire");
  });

  it("keep an operation alive when only the activity write fails", async () => {
    const { memoryStore } = await import("../../src/server/index.js");
    const store = memoryStore();
    const locked = async () => { throw new Error("activity table locked"); };
    // Both ways a store takes events: one at a time, and in batches written after the answer.
    const h = await harness({ store: { ...store, recordActivity: locked, recordActivities: locked } });
    const started = await h.start();
    expect(started.token.startsWith("session-tag:eyJ")).toBe(true);
    await expect.poll(() => h.errors.map(String)).toEqual(["Error: activity table locked"]);
  });
});
