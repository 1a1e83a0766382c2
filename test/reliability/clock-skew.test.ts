/**
 * Issue 6 §4: client and server clocks five minutes apart, either way (the server's `now`
 * option and the client's `now`). The client measures the offset from the token's `iat`, so it
 * neither refreshes a fresh token at once (client ahead) nor hands out an expired one (client
 * behind). Offline verifiers at the edge tolerate `iat` up to five minutes ahead of their clock.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { SessionChange } from "../../src/index.js";
import { verifySessionToken } from "../../src/verify/index.js";
import { closeClients, harness, harnessClient, SCOPE, SEED_DATA } from "../server/helpers.js";

const MIN = 60_000;
afterEach(closeClients);

describe.each([
  ["5 minutes ahead of", 5 * MIN],
  ["5 minutes behind", -5 * MIN],
])("a client clock %s the server's", (_name, skew) => {
  async function setup() {
    const h = await harness(); // 15-minute tokens; the client's margin is min(60 s, 10%)
    const refreshes: number[] = [];
    const changes: SessionChange[] = [];
    const tessera = harnessClient(h, {
      now: () => h.clock.now + skew,
      fetch: (request) => {
        if (new URL(request.url).pathname === "/v1/sessions/refresh") refreshes.push(h.clock.now);
        return h.server.fetch(request);
      },
    });
    tessera.sessions.onChange((c) => changes.push(c));
    const serverVerify = async (token: string) => (await h.post("/v1/sessions/verify", { ...SCOPE, token })).body;
    return { h, tessera, refreshes, changes, serverVerify };
  }

  it("a fresh token is used as is, refreshed inside the last minute by the server's clock, and never handed out expired", async () => {
    const t = await setup();
    const started = await t.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    const get = () => t.tessera.sessions.get({ tag: "session-tag" });
    expect((await get())!.token).toBe(started.token);
    t.h.clock.now += 13 * MIN;
    expect((await get())!.token).toBe(started.token);
    expect(t.refreshes).toEqual([]);
    t.h.clock.now += 1.5 * MIN; // 14.5 min by the server: inside the margin
    const rotated = await get();
    expect(t.refreshes).toHaveLength(1);
    expect(rotated!.token).not.toBe(started.token);
    expect(await t.serverVerify(rotated!.token)).toMatchObject({ valid: true });
    t.h.clock.now += 1 * MIN; // the first token has expired on the server
    expect(await t.serverVerify(started.token)).toEqual({ valid: false, reason: "expired" });
    const now = await get();
    expect(await t.serverVerify(now!.token)).toMatchObject({ valid: true });
    expect(t.refreshes).toHaveLength(1);
    expect(t.changes.some((c) => c.type === "ended")).toBe(false);
  });

  it("every token handed out over two hours of use verifies on the server at that moment", async () => {
    const t = await setup();
    await t.tessera.sessions.start({ ...SCOPE, data: SEED_DATA });
    for (let elapsed = 0; elapsed < 120 * MIN; elapsed += 45_000) {
      t.h.clock.now += 45_000;
      const session = await t.tessera.sessions.get({ tag: "session-tag" });
      expect(await t.serverVerify(session!.token), `at ${elapsed / MIN} min`).toMatchObject({ valid: true });
    }
    // About one refresh per 14 minutes, not one per call.
    expect(t.refreshes.length).toBeGreaterThanOrEqual(8);
    expect(t.refreshes.length).toBeLessThanOrEqual(10);
  });
});

describe("offline verification with a skewed edge clock", () => {
  it("accepts a fresh token at an edge up to 5 minutes behind, refuses one issued further in its future", async () => {
    const h = await harness();
    const started = await h.start();
    const jwks = await (await h.call("GET", "/.well-known/jwks.json")).json();
    const at = (offset: number) => verifySessionToken(started.token, { jwks, issuer: "http://127.0.0.1:8787", ...SCOPE, now: h.clock.now + offset });
    expect(await at(-5 * MIN)).toMatchObject({ valid: true });
    expect(await at(5 * MIN)).toMatchObject({ valid: true });
    expect(await at(-6 * MIN)).toEqual({ valid: false, reason: "malformed" });
    expect(await at(15 * MIN + 1_000)).toEqual({ valid: false, reason: "expired" });
  });
});
