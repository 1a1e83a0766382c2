import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../src/index.js";
import { memoryStorage } from "../../src/storage/index.js";
import { rejection } from "../support/rejection.js";

// A request that gets no answer names the URL it went to and what is known of why, over real
// sockets (Node's fetch): a closed port, a host that does not resolve, a server that never answers.
const ACCESS_KEY = "tsk_no_response_0123456789abcdef";
const TOKEN = "session-tag:eyJ.secret-token-value.sig";
const scope = { product: "p", env: "snd", tag: "session-tag" };

const failure = (baseUrl: string, timeout = 5_000) =>
  rejection(
    createClient({ baseUrl, accessKey: ACCESS_KEY, storage: memoryStorage(), retries: 0, timeout }).sessions.verify({ ...scope, token: TOKEN }),
  );

let hanging: Server;
let hangingUrl: string;
let closedUrl: string;
beforeAll(async () => {
  hanging = createServer(() => {}); // reads the request, never answers
  await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
  hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  // A port that was just free: bind, note, close.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(async () => {
  hanging.closeAllConnections();
  await new Promise((resolve) => hanging.close(resolve));
});

const noSecrets = (message: string) => {
  expect(message).not.toContain(ACCESS_KEY);
  expect(message).not.toContain("secret-token-value");
};

describe("NETWORK_ERROR and TIMEOUT name the URL and the cause", () => {
  it("a closed port: connection refused, with the endpoint's URL", async () => {
    const error = await failure(`${closedUrl}/base`);
    expect(error).toMatchObject({ code: "NETWORK_ERROR", status: 0 });
    expect(error.message).toBe(`sessions endpoint ${closedUrl}/base/v1/sessions/verify: connection refused`);
    noSecrets(error.message);
  });

  it("a host name that does not resolve: DNS", async () => {
    // .invalid never resolves (RFC 6761 §6.4).
    const error = await failure("http://tessera-endpoint.invalid");
    expect(error).toMatchObject({ code: "NETWORK_ERROR", status: 0 });
    expect(error.message).toBe("sessions endpoint http://tessera-endpoint.invalid/v1/sessions/verify: host name not found (DNS)");
  });

  it("a server that never answers: TIMEOUT after the configured time", async () => {
    const started = Date.now();
    const error = await failure(hangingUrl, 150);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toMatchObject({ code: "TIMEOUT", status: 0 });
    expect(error.message).toBe(`sessions endpoint ${hangingUrl}/v1/sessions/verify: timed out after 150 ms`);
  });

  it("a query is never part of the URL named (listActive sends its filters as a query)", async () => {
    const error = await rejection(
      createClient({ baseUrl: closedUrl, accessKey: ACCESS_KEY, storage: memoryStorage(), retries: 0 }).sessions.listActive({ ...scope, identifier: "user-42" }),
    );
    expect(error.message).toBe(`sessions endpoint ${closedUrl}/v1/sessions: connection refused`);
    expect(error.message).not.toContain("user-42");
  });

  it("a failure with no known cause (a browser's bare TypeError) points at CORS", async () => {
    const error = await rejection(
      createClient({
        baseUrl: "https://sessions.example",
        storage: memoryStorage(),
        retries: 0,
        fetch: async () => {
          throw new TypeError("Failed to fetch");
        },
      }).sessions.verify({ ...scope, token: TOKEN }),
    );
    expect(error).toMatchObject({ code: "NETWORK_ERROR", status: 0 });
    expect(error.message).toBe("sessions endpoint https://sessions.example/v1/sessions/verify: no response (often CORS, or offline)");
  });
});
