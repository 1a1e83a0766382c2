import { beforeAll, describe, expect, it } from "vitest";
import type { JSONWebKeySet } from "jose";
import type { SessionAuthOptions } from "../../src/middleware/options.js";
import { createDpopProof } from "../../src/shared/dpop/create-proof.js";
import { jwkThumbprint } from "../../src/shared/dpop/thumbprint.js";
import { harness, PRODUCTS, SCOPE, SECRET_KEY, SEED_DATA, type Harness } from "../server/helpers.js";

/** An app under test: `protected` routes behind `sessionAuth(options)`, answering the session as JSON. */
export type MountApp = (options: SessionAuthOptions) => Promise<(path: string, headers?: Record<string, string>) => Promise<Response>>;

/**
 * The behaviour every `sessionAuth` (Hono, Express) shares, written once and run per framework.
 * Tokens come from a real in-process endpoint; its verify route serves the endpoint mode.
 */
export function middlewareSuite(name: string, mount: MountApp, createMiddleware: (options: SessionAuthOptions) => unknown): void {
  describe(`${name}: sessionAuth`, () => {
    let h: Harness;
    let jwks: JSONWebKeySet;
    let offline: Awaited<ReturnType<MountApp>>;
    const base = () => ({ issuer: "http://127.0.0.1:8787", ...SCOPE });

    beforeAll(async () => {
      // Offline checks read the real clock: the endpoint must too.
      h = await harness({ now: () => Date.now() });
      jwks = (await (await h.call("GET", "/.well-known/jwks.json")).json()) as JSONWebKeySet;
      offline = await mount({ ...base(), jwks, cookie: "session" });
    });

    it("lets a valid `Authorization: Session` token through and exposes the session", async () => {
      const started = await h.start();
      const response = await offline("/protected", { authorization: `Session ${started.token}` });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        sessionId: started.sessionId,
        identifier: SEED_DATA.userId,
        expiresAt: started.expiresAt,
        ...SCOPE,
        checkedBy: "offline",
      });
    });

    it("reads the configured cookie when there is no Session header (a Bearer header is not ours)", async () => {
      const started = await h.start();
      const cookie = `theme=dark; session=${encodeURIComponent(started.token)}`;
      expect((await offline("/protected", { cookie, authorization: "Bearer something-else" })).status).toBe(200);
      expect((await offline("/protected", { cookie: `other=${started.token}` })).status).toBe(401);
    });

    it("answers 401 with the JSON error body and WWW-Authenticate without credentials", async () => {
      const response = await offline("/protected");
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Session realm="tessera"');
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("UNAUTHORIZED");
      expect(body.error.message).toContain("session");
    });

    it("refuses forged, re-scoped and tag-swapped tokens with invalid_token, echoing no token", async () => {
      const started = await h.start();
      const [header, payload, signature] = started.token.slice("session-tag:".length).split(".");
      const flipped = `session-tag:${header}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith("AA") ? "BA" : "AA"}`;
      const otherEnv = await h.start(SEED_DATA, { env: "prd" } as never);
      for (const token of [flipped, otherEnv.token, started.token.replace(/^session-tag:/, "guest:"), "session-tag:not.a.jws"]) {
        const response = await offline("/protected", { authorization: `Session ${token}` });
        expect(response.status, token.slice(0, 20)).toBe(401);
        expect(response.headers.get("www-authenticate")).toBe('Session realm="tessera", error="invalid_token"');
        const text = await response.text();
        expect(JSON.parse(text).error.code).toBe("SESSION_INVALID");
        expect(text).not.toContain(token.slice(-20));
      }
    });

    it("in endpoint mode sees a revocation at once and returns the session's data", async () => {
      const live = await mount({ ...base(), mode: "endpoint", endpoint: "http://127.0.0.1:8787", accessKey: SECRET_KEY, fetch: (r) => h.server.fetch(r) });
      const started = await h.start();
      const before = await live("/protected", { authorization: `Session ${started.token}` });
      expect(before.status).toBe(200);
      expect(await before.json()).toMatchObject({ checkedBy: "endpoint", data: SEED_DATA, identifier: SEED_DATA.userId });
      expect((await h.post("/v1/sessions/revoke", { ...SCOPE, sessionId: started.sessionId })).status).toBe(200);
      const after = await live("/protected", { authorization: `Session ${started.token}` });
      expect(after.status).toBe(401);
      expect(((await after.json()) as { error: { code: string } }).error.code).toBe("SESSION_REVOKED");
      // Offline, the same token still passes until it expires: the documented trade-off.
      expect((await offline("/protected", { authorization: `Session ${started.token}` })).status).toBe(200);
    });

    it("answers 503 VERIFY_FAILED with Retry-After when the endpoint is down, and reports it", async () => {
      const errors: unknown[] = [];
      const down = await mount({
        ...base(),
        mode: "endpoint",
        accessKey: "tsk_whatever",
        fetch: async () => new Response("upstream broke", { status: 502 }),
        onError: (e) => errors.push(e),
      });
      const started = await h.start();
      const response = await down("/protected", { authorization: `Session ${started.token}` });
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("VERIFY_FAILED");
      expect(errors).toHaveLength(1);
      expect(String(errors[0])).not.toContain(started.token);
    });

    it("a session bound to a key (DPoP) passes only with a fresh proof for this request, offline and through the endpoint", async () => {
      const bound = await harness({ now: () => Date.now(), products: PRODUCTS.map((p) => ({ ...p, sessions: p.sessions.map((c) => (c.tag === SCOPE.tag ? { ...c, binding: "dpop" as const } : c)) })) });
      const boundJwks = (await (await bound.call("GET", "/.well-known/jwks.json")).json()) as JSONWebKeySet;
      const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
      const { kty, crv, x, y } = (await crypto.subtle.exportKey("jwk", keys.publicKey)) as { kty: "EC"; crv: "P-256"; x: string; y: string };
      const jwk = { kty, crv, x, y };
      const started = await bound.post("/v1/sessions/start", { ...SCOPE, data: SEED_DATA, dpop: { jkt: await jwkThumbprint(jwk) } });
      expect(started.status).toBe(201);
      const token = started.body.token as string;
      // Behind a proxy: the proof names the public URL, which `origin` tells the middleware.
      const origin = "https://app.example.test";
      const proof = () => createDpopProof(keys.privateKey, jwk, { htm: "GET", htu: `${origin}/protected`, token });
      const modes: [string, SessionAuthOptions][] = [
        ["offline", { ...base(), jwks: boundJwks, origin }],
        ["endpoint", { ...base(), origin, mode: "endpoint", endpoint: "http://127.0.0.1:8787", accessKey: SECRET_KEY, fetch: (r) => bound.server.fetch(r) }],
      ];
      for (const [mode, options] of modes) {
        const app = await mount(options);
        const missing = await app("/protected", { authorization: `Session ${token}` });
        expect([mode, missing.status, missing.headers.get("www-authenticate")?.split(" ")[0]]).toEqual([mode, 401, "DPoP"]);
        expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("DPOP_REQUIRED");
        const dpop = await proof();
        const ok = await app("/protected", { authorization: `Session ${token}`, dpop });
        expect([mode, ok.status]).toEqual([mode, 200]);
        // RFC 9449 §11.1: a proof is good for one request.
        const replayed = await app("/protected", { authorization: `Session ${token}`, dpop });
        expect([mode, replayed.status]).toEqual([mode, 401]);
        expect(((await replayed.json()) as { error: { code: string } }).error.code).toBe("DPOP_INVALID");
      }
    });

    it("refuses at creation a missing or invalid scope, key source or mode (INVALID_CONFIG naming the option)", () => {
      const cases: [Partial<SessionAuthOptions>, string][] = [
        [{ product: undefined }, "product"],
        [{ env: undefined }, "env"],
        [{ tag: "" }, "tag"],
        [{ env: "*" }, "env"],
        [{ issuer: "tessera-dev" }, "jwksUrl"],
        [{ mode: "online" as never }, "mode"],
        [{ mode: "endpoint" }, "accessKey"],
        [{ cookie: "bad name" }, "cookie"],
        [{ origin: "https://app.example.test/path" }, "origin"],
      ];
      for (const [change, field] of cases) {
        let thrown: unknown;
        try {
          createMiddleware({ ...base(), ...change } as SessionAuthOptions);
        } catch (error) {
          thrown = error;
        }
        expect(thrown, field).toMatchObject({ name: "SessionError", code: "INVALID_CONFIG", field });
      }
      // The issuer's origin gives the JWKS URL when it is a URL.
      expect(() => createMiddleware(base())).not.toThrow();
    });
  });
}
