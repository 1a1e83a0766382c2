import type { ActivityEvent } from "../../shared/protocol.js";

const COLUMNS = ["startAt", "endAt", "product", "env", "tag", "identifier", "sessionId", "operation", "status", "action", "message", "data"] as const;

/** RFC 4180: every field quoted, quotes doubled, CRLF between records. */
export function toCsv(events: ActivityEvent[]): string {
  const cell = (v: unknown) => `"${(v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v)).replace(/"/g, '""')}"`;
  return [COLUMNS.join(","), ...events.map((e) => COLUMNS.map((c) => cell(e[c])).join(","))].join("\r\n") + "\r\n";
}

/** Saves `text` as a file, from a blob: URL (no request leaves the page). */
export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
