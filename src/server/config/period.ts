import type { Period } from "./types.js";

const FIXED_MS: Partial<Record<Period, number>> = {
  secs: 1_000,
  mins: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
};

/**
 * `from + amount period`, in milliseconds. Days and weeks are fixed lengths (UTC has no
 * DST); months and years follow the calendar and clamp to the month's end, so Jan 31 +
 * 1 month is Feb 28 (or 29), and Feb 29 + 1 year is Feb 28.
 */
export function addPeriod(from: number, amount: number, period: Period): number {
  const fixed = FIXED_MS[period];
  if (fixed !== undefined) return from + amount * fixed;
  const months = period === "years" ? amount * 12 : amount;
  const date = new Date(from);
  const day = date.getUTCDate();
  const target = new Date(from);
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target.getTime();
}
