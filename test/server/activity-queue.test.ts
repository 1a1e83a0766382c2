import { describe, expect, it } from "vitest";
import { memoryStore } from "../../src/server/stores/memory.js";
import { MAX_PENDING_EVENTS, queueActivity } from "../../src/server/stores/activity-queue.js";
import type { ActivityRecord, SessionStore } from "../../src/server/stores/types.js";

const event = (i: number): ActivityRecord => ({
  product: "p", env: "e", tag: "t", operation: "verify", status: "success", startAt: 1_000 + i,
  message: `event ${i}`, sessionId: "s", identifier: "u",
}) as ActivityRecord;
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A store whose batch writes finish when `release()` is called (a commit that comes late). */
function slowStore() {
  const inner = memoryStore();
  const batches: number[][] = [];
  let release = () => {};
  const store: SessionStore = {
    ...inner,
    async recordActivities(events: ActivityRecord[]) {
      batches.push(events.map((e) => e.startAt - 1_000));
      await new Promise<void>((resolve) => (release = resolve));
      await inner.recordActivities!(events);
    },
  };
  return { store, batches, release: () => release() };
}

describe("activity queue", () => {
  it("writes what arrives during a slow write as one batch after it, in order, not one write per event", async () => {
    const { store, batches, release } = slowStore();
    const queued = queueActivity(store, (e) => { throw e; });
    await queued.recordActivity(event(0));
    await tick();
    for (let i = 1; i <= 40; i++) {
      await queued.recordActivity(event(i));
      await tick(); // each event in its own turn, as requests that do not overlap
    }
    expect(batches).toEqual([[0]]);
    const flushed = queued.flush();
    release();
    await tick();
    expect(batches).toEqual([[0], Array.from({ length: 40 }, (_, i) => i + 1)]);
    release();
    await flushed;
  });

  it("makes the caller wait once more than MAX_PENDING_EVENTS are unwritten (the crash bound)", async () => {
    const { store, release } = slowStore();
    const queued = queueActivity(store, (e) => { throw e; });
    for (let i = 0; i < MAX_PENDING_EVENTS; i++) await queued.recordActivity(event(i));
    let returned = false;
    const over = queued.recordActivity(event(MAX_PENDING_EVENTS)).then(() => (returned = true));
    await tick();
    expect(returned).toBe(false);
    for (let i = 0; i < 10 && !returned; i++) {
      release();
      await tick();
    }
    await over;
    expect(returned).toBe(true);
  });

  it("flush() resolves once everything recorded before it is written, and readers see it", async () => {
    const queued = queueActivity(memoryStore(), (e) => { throw e; });
    for (let i = 0; i < 300; i++) await queued.recordActivity(event(i));
    await queued.flush();
    const { total } = await queued.listActivity({ identifier: "u", scopes: [{ product: "p", env: "e" }], offset: 0, limit: 1 });
    expect(total).toBe(300);
  });
});
