const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const short = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
const number = new Intl.NumberFormat();

export const fmtTime = (iso: string) => dateTime.format(new Date(iso));
export const fmtShort = (ms: number) => short.format(new Date(ms));
export const fmtNumber = (n: number) => number.format(n);

/** "3 min ago", "in 2 h", from now. */
export function fmtAgo(iso: string, now = Date.now()): string {
  const s = Math.round((now - Date.parse(iso)) / 1000);
  const abs = Math.abs(s);
  const [n, unit] = abs < 60 ? [abs, "s"] : abs < 3600 ? [Math.floor(abs / 60), "min"] : abs < 86_400 ? [Math.floor(abs / 3600), "h"] : [Math.floor(abs / 86_400), "d"];
  if (abs < 5) return "just now";
  return s >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

/** `verify:expired` as "Verify · expired". */
export function fmtReason(key: string): string {
  const [op = "", reason = ""] = key.split(":");
  return `${op.charAt(0).toUpperCase()}${op.slice(1)} · ${reason.replace(/_/g, " ")}`;
}
