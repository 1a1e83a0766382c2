import { afterEach, describe, expect, it } from "vitest";
import { createClient, type SessionChange, type TesseraClient } from "../../src/index.js";
import { memoryStorage, type SessionStorage } from "../../src/storage/index.js";
import { fakeEndpoint, manualClock } from "./fake-endpoint.js";

const scope = { product: "p", env: "snd", tag: "session-tag" };
const KEY = "tessera:p:snd:session-tag";
const open: TesseraClient[] = [];
afterEach(() => open.splice(0).forEach((client) => client.close()));

/** Two "tabs": clients on one BroadcastChannel name, each with its own storage unless shared. */
function tabs(shared?: SessionStorage) {
  const clock = manualClock();
  const endpoint = fakeEndpoint({ now: clock.now });
  const channel = `tessera-test-${crypto.randomUUID()}`;
  const make = () => {
    const storage = shared ?? memoryStorage();
    const client = createClient({ baseUrl: "https://auth.test", storage, fetch: endpoint.fetch, now: clock.now, broadcast: channel, retries: 0 });
    const changes: SessionChange[] = [];
    client.sessions.onChange((c) => changes.push(c));
    open.push(client);
    return { client, storage, changes, channel };
  };
  return { clock, endpoint, a: make(), b: make() };
}

const until = async (check: () => boolean | Promise<boolean>) => {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
  expect(await check()).toBe(true);
};

describe("BroadcastChannel sharing between tabs", () => {
  it("another tab receives started, refreshed and ended, and its storage follows", async () => {
    const { a, b, clock } = tabs();
    const started = await a.client.sessions.start({ ...scope, data: { userId: "u1" } });
    await until(() => b.changes.length === 1);
    expect(b.changes[0]).toMatchObject({ type: "started", source: "remote", tag: "session-tag" });
    expect((await b.client.sessions.get(scope))!.token).toBe(started.token);

    clock.advance(14.5 * 60_000);
    const refreshed = (await a.client.sessions.get(scope))!;
    await until(() => b.changes.length === 2);
    expect(b.changes[1]).toMatchObject({ type: "refreshed", source: "remote" });
    expect(JSON.parse((await b.storage.get(KEY))!).refreshToken).toBe(refreshed.refreshToken);

    await a.client.sessions.end(scope);
    await until(() => b.changes.length === 3);
    expect(b.changes[2]).toMatchObject({ type: "ended", reason: "ended", source: "remote" });
    expect(await b.storage.get(KEY)).toBeNull();
  });

  it("with shared storage, only announces (the sender already wrote)", async () => {
    const shared = memoryStorage();
    const { a, b } = tabs(shared);
    const started = await a.client.sessions.start({ ...scope, data: { userId: "u1" } });
    await until(() => b.changes.length === 1);
    expect(JSON.parse((await shared.get(KEY))!).token).toBe(started.token);
  });

  it("ignores an ended message for another session and a set older than what it holds", async () => {
    const { a, b, clock } = tabs();
    await a.client.sessions.start({ ...scope, data: { userId: "u1" } });
    await until(() => b.changes.length === 1);
    const older = JSON.parse((await b.storage.get(KEY))!);
    clock.advance(14.5 * 60_000);
    await b.client.sessions.get(scope); // b rotates: it now holds a newer pair
    const newer = JSON.parse((await b.storage.get(KEY))!);
    const channel = new BroadcastChannel(b.channel);
    channel.postMessage({ v: 1, from: "stranger", type: "ended", key: KEY, sessionId: "another-session", reason: "revoked" });
    channel.postMessage({ v: 1, from: "stranger", type: "refreshed", key: KEY, session: older });
    channel.postMessage({ v: 1, from: "stranger", type: "refreshed", key: "not-a-tessera-key", session: older });
    await new Promise((r) => setTimeout(r, 50));
    channel.close();
    expect(JSON.parse((await b.storage.get(KEY))!).refreshToken).toBe(newer.refreshToken);
    expect(b.changes.map((c) => c.type)).toEqual(["started", "refreshed"]);
  });

  it("applies a well-formed message from a stranger tab (the protocol the checks above reject)", async () => {
    const { b } = tabs();
    const { a } = tabs();
    const started = await a.client.sessions.start({ ...scope, data: { userId: "u1" } });
    const record = JSON.parse((await a.storage.get(KEY))!);
    const channel = new BroadcastChannel(b.channel);
    channel.postMessage({ v: 1, from: "stranger", type: "started", key: KEY, session: record });
    await until(async () => (await b.storage.get(KEY)) !== null);
    expect(b.changes.at(-1)).toMatchObject({ type: "started", source: "remote" });
    channel.postMessage({ v: 1, from: "stranger", type: "ended", key: KEY, sessionId: started.sessionId, reason: "revoked" });
    await until(async () => (await b.storage.get(KEY)) === null);
    expect(b.changes.at(-1)).toMatchObject({ type: "ended", reason: "revoked", source: "remote" });
    channel.close();
  });

  it("closing a client stops listening", async () => {
    const { a, b } = tabs();
    b.client.close();
    await a.client.sessions.start({ ...scope, data: { userId: "u1" } });
    await new Promise((r) => setTimeout(r, 50));
    expect(b.changes).toHaveLength(0);
  });
});
