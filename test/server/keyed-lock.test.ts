import { describe, expect, it } from "vitest";
import { createKeyedLock } from "../../src/server/keyed-lock.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("createKeyedLock", () => {
  it("runs one key's tasks one at a time in call order, and other keys' tasks meanwhile", async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} in`);
      await tick();
      log.push(`${name} out`);
      return name;
    };
    const results = await Promise.all([lock("a", task("a1")), lock("a", task("a2")), lock("b", task("b1")), lock("a", task("a3"))]);
    expect(results).toEqual(["a1", "a2", "b1", "a3"]);
    const a = log.filter((line) => line.startsWith("a"));
    expect(a).toEqual(["a1 in", "a1 out", "a2 in", "a2 out", "a3 in", "a3 out"]);
    // b did not wait for the a queue: it entered before a1 left.
    expect(log.indexOf("b1 in")).toBeLessThan(log.indexOf("a1 out"));
  });

  it("a task that throws rejects its own call; the next one of the key still runs", async () => {
    const lock = createKeyedLock();
    const failing = lock("k", async () => {
      await tick();
      throw new Error("boom");
    });
    const next = lock("k", async () => "ran");
    await expect(failing).rejects.toThrow("boom");
    await expect(next).resolves.toBe("ran");
    // And the key is usable afterwards, alone.
    await expect(lock("k", async () => 1)).resolves.toBe(1);
  });
});
