import { describe, expect, it, vi } from "vitest";
import { fakeEndpoint } from "../client/fake-endpoint.js";

const scope = { product: "p", env: "snd", tag: "session-tag" };

describe("the client in a page (happy-dom + fake-indexeddb)", () => {
  it("touches neither IndexedDB, document nor window at import", async () => {
    vi.resetModules();
    const open = vi.spyOn(indexedDB, "open");
    const listen = vi.spyOn(document, "addEventListener");
    await import("../../src/index.js");
    await import("../../src/storage/index.js");
    await import("../../src/browser.js");
    expect(open).not.toHaveBeenCalled();
    expect(listen).not.toHaveBeenCalled();
    open.mockRestore();
    listen.mockRestore();
  });

  it("defaults to encrypted IndexedDB: the session survives a new client, the raw record holds no token", async () => {
    const { createClient } = await import("../../src/index.js");
    const endpoint = fakeEndpoint();
    const first = createClient({ baseUrl: "https://auth.test", fetch: endpoint.fetch, broadcast: false });
    const started = await first.sessions.start({ ...scope, data: { userId: "u1" } });
    first.close();

    const raw = await new Promise<unknown>((resolve, reject) => {
      const request = indexedDB.open("tessera");
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        const tx = request.result.transaction("kv", "readonly");
        const get = tx.objectStore("kv").get("tessera:p:snd:session-tag");
        get.onsuccess = () => resolve(get.result);
        get.onerror = () => reject(get.error);
      };
    });
    expect(typeof raw).toBe("string");
    expect(raw as string).toMatch(/^v1\./);
    const jwt = started.token.split(":")[1]!;
    for (const secret of [started.token, jwt, started.refreshToken, started.refreshToken.split(":")[1]!]) {
      expect(raw as string).not.toContain(secret);
    }

    const second = createClient({ baseUrl: "https://auth.test", fetch: endpoint.fetch, broadcast: false });
    expect((await second.sessions.get(scope))!.token).toBe(started.token);
    second.close();
  });

  it("re-checks sessions when the page becomes visible again", async () => {
    const { createClient } = await import("../../src/index.js");
    let time = Date.parse("2026-01-01T00:00:00Z");
    const endpoint = fakeEndpoint({ now: () => time });
    const { memoryStorage } = await import("../../src/storage/index.js");
    const client = createClient({ baseUrl: "https://auth.test", storage: memoryStorage(), fetch: endpoint.fetch, now: () => time, retries: 0 });
    await client.sessions.start({ ...scope, data: { userId: "u1" } });
    time += 14.5 * 60_000; // the tab slept through its timer
    Object.defineProperty(document, "visibilityState", { value: "visible", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
    for (let i = 0; i < 50 && endpoint.count("/v1/sessions/refresh") === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(endpoint.count("/v1/sessions/refresh")).toBe(1);
    client.close();
    time += 14.5 * 60_000;
    document.dispatchEvent(new Event("visibilitychange"));
    await new Promise((r) => setTimeout(r, 50));
    expect(endpoint.count("/v1/sessions/refresh")).toBe(1); // closed: no longer listening
  });

  it("refreshes in the background before expiry (autoRefresh is on in a page)", async () => {
    const { createClient } = await import("../../src/index.js");
    const { memoryStorage } = await import("../../src/storage/index.js");
    const endpoint = fakeEndpoint({ lifetimeMs: 1_000 });
    const client = createClient({ baseUrl: "https://auth.test", storage: memoryStorage(), fetch: endpoint.fetch, broadcast: false, retries: 0 });
    const events: string[] = [];
    client.sessions.onChange((c) => events.push(c.type));
    await client.sessions.start({ ...scope, data: { userId: "u1" } });
    await new Promise((r) => setTimeout(r, 1_500));
    client.close();
    expect(endpoint.count("/v1/sessions/refresh")).toBeGreaterThanOrEqual(1);
    expect(events.slice(0, 2)).toEqual(["started", "refreshed"]);
  });
});
