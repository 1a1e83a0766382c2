/**
 * The client in real Chromium against the real sessions endpoint, which runs in the page too
 * (it is WebCrypto + jose only): IndexedDB persistence across client re-creation, the default
 * storage being encrypted, and two clients of one origin refreshing at the same moment.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createClient, type SessionChange, type TesseraClient } from "../../src/index.js";
import { createSessionServer, type SessionServer } from "../../src/server/create-server.js";
import { generateAccessKey, generateSecret, generateSigningKey } from "../../src/server/keys/generate.js";
import { memoryStore } from "../../src/server/stores/memory.js";

const scope = { product: "my-product-tag", env: "snd", tag: "session-tag" };
const SEED = { userId: "1919102009383", details: { username: "feekayo", email: "fikayo@ductape.app" } };
const PUBLISHABLE = generateAccessKey("publishable");
const SECRET = generateAccessKey("secret");
const clock = { offset: 0 };
const now = () => Date.now() + clock.offset;
let server: SessionServer;
const open: TesseraClient[] = [];

beforeAll(async () => {
  server = createSessionServer({
    issuer: location.origin,
    keys: [await generateSigningKey()],
    secret: generateSecret(),
    store: memoryStore(),
    products: [{ tag: "my-product-tag", envs: ["snd"], sessions: [{ tag: "session-tag", schema: { userId: "string", details: { username: "string?", email: "string" } }, selector: "$Session{userId}", expiry: 15, period: "mins" }] }],
    accessKeys: { secret: [SECRET], publishable: [PUBLISHABLE] },
    now,
  });
});
afterEach(() => open.splice(0).forEach((c) => c.close()));

function client(accessKey = SECRET, extra: Record<string, unknown> = {}) {
  const c = createClient({ baseUrl: location.origin, accessKey, product: scope.product, env: scope.env, fetch: (r) => server.fetch(r), now, ...extra });
  open.push(c);
  return c;
}

describe("the client in Chromium", () => {
  it("defaults to encrypted IndexedDB: a new client (as after a reload) finds the session; the record is ciphertext", async () => {
    const first = client();
    const started = await first.sessions.start({ ...scope, data: SEED });
    first.close();
    const raw = await new Promise<string>((resolve, reject) => {
      const req = indexedDB.open("tessera");
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        const get = req.result.transaction("kv", "readonly").objectStore("kv").get("tessera:my-product-tag:snd:session-tag");
        get.onsuccess = () => { resolve(get.result); req.result.close(); };
        get.onerror = () => reject(get.error);
      };
    });
    expect(raw).toMatch(/^v1\./);
    expect(raw).not.toContain(started.token.split(":")[1]!.slice(0, 24));
    expect(raw).not.toContain(started.refreshToken.split(":")[1]!.slice(0, 24));

    const afterReload = client(PUBLISHABLE);
    const session = await afterReload.sessions.get({ tag: "session-tag" });
    expect(session!.token).toBe(started.token);
    expect(await afterReload.sessions.verify({ tag: "session-tag" })).toMatchObject({ valid: true, identifier: SEED.userId });
  });

  it("two clients of one origin refreshing at the same moment end with one valid session and no logout", async () => {
    const a = client(PUBLISHABLE);
    const b = client(PUBLISHABLE);
    const changes: SessionChange[] = [];
    a.sessions.onChange((c) => changes.push(c));
    b.sessions.onChange((c) => changes.push(c));
    const starter = client();
    await starter.sessions.start({ ...scope, data: SEED });
    clock.offset += 14.5 * 60_000;
    const [x, y] = await Promise.all([a.sessions.get({ tag: "session-tag" }), b.sessions.get({ tag: "session-tag" })]);
    expect(x!.token).toBe(y!.token);
    expect(changes.some((c) => c.type === "ended")).toBe(false);
    expect(await a.sessions.verify({ tag: "session-tag" })).toMatchObject({ valid: true });
    // the rotated chain keeps working for both
    clock.offset += 14.5 * 60_000;
    expect(await b.sessions.get({ tag: "session-tag" })).not.toBeNull();
    expect(await a.sessions.verify({ tag: "session-tag" })).toMatchObject({ valid: true });
  });

  it("shares a rotation with another client over BroadcastChannel", async () => {
    const channel = `t-${crypto.randomUUID()}`;
    const a = client(PUBLISHABLE, { broadcast: channel });
    const b = client(PUBLISHABLE, { broadcast: channel });
    const seen: SessionChange[] = [];
    b.sessions.onChange((c) => seen.push(c));
    const starter = client(SECRET, { broadcast: channel });
    await starter.sessions.start({ ...scope, data: SEED });
    await a.sessions.refresh({ tag: "session-tag" });
    for (let i = 0; i < 50 && seen.filter((c) => c.source === "remote").length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(seen.filter((c) => c.source === "remote").map((c) => c.type)).toEqual(["started", "refreshed"]);
  });
});
