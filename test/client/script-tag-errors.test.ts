import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, ERROR_STATUS, SessionError } from "../../src/index.js";
import { encryptedStorage } from "../../src/storage/encrypted.js";
import { memoryStorage } from "../../src/storage/index.js";
import type { SessionStorage } from "../../src/storage/types.js";
import { rejection } from "../support/rejection.js";
import { fakeEndpoint, manualClock } from "./fake-endpoint.js";

// The script-tag build defines TESSERA_SCRIPT_TAG and leaves SessionError's code -> status
// table out (src/shared/errors.ts), so every error the client makes must name its status.
// Unbundled, the flag is a global lookup: defining it here runs the sources as that build does,
// and each error must carry the status ERROR_STATUS documents for its code.
const flag = globalThis as { TESSERA_SCRIPT_TAG?: true };
beforeAll(() => void (flag.TESSERA_SCRIPT_TAG = true));
afterAll(() => void delete flag.TESSERA_SCRIPT_TAG);

const scope = { product: "p", env: "snd", tag: "session-tag" };

const expectDocumentedStatus = (error: SessionError, code: keyof typeof ERROR_STATUS) => {
  expect(error.code).toBe(code);
  expect(error.status).toBe(ERROR_STATUS[code]);
};

describe("client-made errors name their status (script-tag build)", () => {
  it("the flag is in effect: a SessionError without a status has status 0", () => {
    expect(new SessionError("NOT_FOUND", "x").status).toBe(0);
  });

  it("INVALID_ARGUMENT from options, arguments and storage options", async () => {
    expectDocumentedStatus(await rejection(() => createClient({ baseUrl: "ftp://x" })), "INVALID_ARGUMENT");
    const tessera = createClient({ baseUrl: "https://auth.test", storage: memoryStorage(), fetch: fakeEndpoint().fetch });
    expectDocumentedStatus(await rejection(() => tessera.sessions.start({ ...scope, data: { when: new Date() } as never })), "INVALID_ARGUMENT");
    expectDocumentedStatus(await rejection(() => encryptedStorage(memoryStorage(), { secrets: "x" } as never)), "INVALID_ARGUMENT");
  });

  it("SESSION_NOT_FOUND, REFRESH_EXPIRED, NETWORK_ERROR and a malformed answer's SERVER_ERROR", async () => {
    const clock = manualClock();
    const endpoint = fakeEndpoint({ now: clock.now, refreshLifetimeMs: 60_000, lifetimeMs: 30_000 });
    const tessera = createClient({ baseUrl: "https://auth.test", storage: memoryStorage(), fetch: endpoint.fetch, now: clock.now });
    expectDocumentedStatus(await rejection(() => tessera.sessions.refresh(scope)), "SESSION_NOT_FOUND");

    await tessera.sessions.start({ ...scope, data: {} });
    clock.advance(120_000);
    expectDocumentedStatus(await rejection(() => tessera.sessions.refresh(scope)), "REFRESH_EXPIRED");

    endpoint.script("/v1/sessions/verify", "network");
    expectDocumentedStatus(await rejection(() => tessera.sessions.verify({ ...scope, token: "session-tag:x" })), "NETWORK_ERROR");
    endpoint.script("/v1/sessions/start", { status: 201, body: { token: 1 } });
    expectDocumentedStatus(await rejection(() => tessera.sessions.start({ ...scope, data: {} })), "SERVER_ERROR");
    tessera.close();
  });

  it("STORAGE_ERROR from a failing storage", async () => {
    const broken: SessionStorage = { get: () => Promise.reject(new Error("disk")), set: async () => {}, delete: async () => {} };
    const tessera = createClient({ baseUrl: "https://auth.test", storage: broken, fetch: fakeEndpoint().fetch });
    const errors: SessionError[] = [];
    tessera.sessions.onChange((change) => change.type === "error" && errors.push(change.error));
    expect(await tessera.sessions.get(scope)).toBeNull();
    expect(errors).toHaveLength(1);
    expectDocumentedStatus(errors[0]!, "STORAGE_ERROR");
    tessera.close();
  });
});
