import { describe, expect, it } from "vitest";
import { createRequestLog } from "../../src/cli/request-log.js";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("tessera dev's request log (buffered writes)", () => {
  it("joins the lines of requests that do not overlap into one write per window", async () => {
    const writes: string[] = [];
    // A window wide enough to observe on a loaded CI machine (tessera dev's is 50 ms).
    const log = createRequestLog((chunk) => writes.push(chunk), 300);
    for (let i = 0; i < 5; i++) {
      log.line(`POST /v1/sessions/start 201 ${i}ms`);
      await new Promise((resolve) => setImmediate(resolve)); // a separate event-loop turn each
    }
    expect(writes).toEqual([]);
    await wait(400);
    expect(writes).toEqual([[0, 1, 2, 3, 4].map((i) => `POST /v1/sessions/start 201 ${i}ms`).join("\n")]);
  });

  it("writes at once on flush() (stopping) and when 16 KiB are buffered", () => {
    const writes: string[] = [];
    const log = createRequestLog((chunk) => writes.push(chunk));
    log.line("GET /healthz 200 0ms");
    log.flush();
    expect(writes).toEqual(["GET /healthz 200 0ms"]);
    log.flush();
    expect(writes).toHaveLength(1);
    const long = "x".repeat(1_000);
    for (let i = 0; i < 17; i++) log.line(long);
    expect(writes).toHaveLength(2);
    expect(writes[1]!.split("\n")).toHaveLength(17);
  });
});
