import { describe, expect, it } from "vitest";
import { addPeriod } from "../../src/server/config/period.js";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe("addPeriod", () => {
  it("adds fixed lengths for secs to weeks", () => {
    const t = at("2026-03-28T10:00:00.000Z");
    expect(addPeriod(t, 30, "secs") - t).toBe(30_000);
    expect(addPeriod(t, 15, "mins") - t).toBe(900_000);
    expect(addPeriod(t, 2, "hours") - t).toBe(7_200_000);
    expect(iso(addPeriod(t, 3, "days"))).toBe("2026-03-31T10:00:00.000Z");
    expect(iso(addPeriod(t, 1, "weeks"))).toBe("2026-04-04T10:00:00.000Z");
  });

  it("adds months by the calendar, clamped to the month's end", () => {
    expect(iso(addPeriod(at("2026-01-31T08:30:00.000Z"), 1, "months"))).toBe("2026-02-28T08:30:00.000Z");
    expect(iso(addPeriod(at("2028-01-31T08:30:00.000Z"), 1, "months"))).toBe("2028-02-29T08:30:00.000Z");
    expect(iso(addPeriod(at("2026-03-31T00:00:00.000Z"), 1, "months"))).toBe("2026-04-30T00:00:00.000Z");
    expect(iso(addPeriod(at("2026-01-15T00:00:00.000Z"), 1, "months"))).toBe("2026-02-15T00:00:00.000Z");
    expect(iso(addPeriod(at("2026-11-30T23:59:59.999Z"), 3, "months"))).toBe("2027-02-28T23:59:59.999Z");
    expect(iso(addPeriod(at("2026-05-31T00:00:00.000Z"), 14, "months"))).toBe("2027-07-31T00:00:00.000Z");
  });

  it("adds years by the calendar: Feb 29 becomes Feb 28", () => {
    expect(iso(addPeriod(at("2028-02-29T12:00:00.000Z"), 1, "years"))).toBe("2029-02-28T12:00:00.000Z");
    expect(iso(addPeriod(at("2028-02-29T12:00:00.000Z"), 4, "years"))).toBe("2032-02-29T12:00:00.000Z");
    expect(iso(addPeriod(at("2026-07-04T00:00:00.000Z"), 2, "years"))).toBe("2028-07-04T00:00:00.000Z");
  });
});
