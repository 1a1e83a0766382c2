import { describe, expect, it } from "vitest";
import { createClient, SessionError } from "../../src/index.js";

function creationError(options: unknown): SessionError {
  try {
    createClient(options as never);
  } catch (error) {
    if (error instanceof SessionError) return error;
    throw error;
  }
  throw new Error("createClient accepted invalid options");
}

describe("createClient options are checked once, at creation", () => {
  it.each([
    ["no options", undefined, "options"],
    ["missing baseUrl", {}, "baseUrl"],
    ["relative baseUrl", { baseUrl: "/api" }, "baseUrl"],
    ["ftp baseUrl", { baseUrl: "ftp://x.test" }, "baseUrl"],
    ["baseUrl with a query", { baseUrl: "https://x.test/?a=1" }, "baseUrl"],
    ["baseUrl with credentials", { baseUrl: "https://u:p@x.test" }, "baseUrl"],
    ["empty accessKey", { baseUrl: "https://x.test", accessKey: "" }, "accessKey"],
    ["accessKey with whitespace", { baseUrl: "https://x.test", accessKey: "tsk_ab cd" }, "accessKey"],
    ["accessKey with a non-Latin-1 placeholder", { baseUrl: "https://x.test", accessKey: "tpk_\u2026" }, "accessKey"],
    ["accessKey with a control character", { baseUrl: "https://x.test", accessKey: "tpk_a\u0000b" }, "accessKey"],
    ["baseUrl not a URL", { baseUrl: "sessions.example.com" }, "baseUrl"],
    ["baseUrl with a hash", { baseUrl: "https://x.test/#a" }, "baseUrl"],
    ["empty product", { baseUrl: "https://x.test", product: "" }, "product"],
    ["env not a string", { baseUrl: "https://x.test", env: 3 }, "env"],
    ["storage without delete", { baseUrl: "https://x.test", storage: { get() {}, set() {} } }, "storage"],
    ["fetch not a function", { baseUrl: "https://x.test", fetch: "fetch" }, "fetch"],
    ["zero timeout", { baseUrl: "https://x.test", timeout: 0 }, "timeout"],
    ["NaN refreshMargin", { baseUrl: "https://x.test", refreshMargin: Number.NaN }, "refreshMargin"],
    ["negative retries", { baseUrl: "https://x.test", retries: -1 }, "retries"],
    ["autoRefresh not boolean", { baseUrl: "https://x.test", autoRefresh: "yes" }, "autoRefresh"],
    ["a typo'd option", { baseUrl: "https://x.test", baseURL: "https://x.test" }, "baseURL"],
  ])("%s -> INVALID_ARGUMENT naming %s", (_name, options, field) => {
    const error = creationError(options);
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.field).toBe(field);
  });

  it("never echoes the access key in a creation error", () => {
    const error = creationError({ baseUrl: "https://x.test", accessKey: "tsk_secret value" });
    expect(error.message).not.toContain("tsk_secret");
  });

  it("accepts a minimal configuration outside a browser (memory storage, no timers)", () => {
    const client = createClient({ baseUrl: new URL("https://x.test/base/") });
    expect(typeof client.sessions.start).toBe("function");
    client.close();
  });
});
