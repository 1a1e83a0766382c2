import type { ActivityEvent } from "../../shared/protocol.js";
import { h, notice } from "./dom.js";
import { fmtTime } from "./format.js";

export interface TimelineOptions {
  /** The list's id (`#timeline` in the console, `#activity-timeline` on the demo page). */
  id: string;
  /** Its accessible name. */
  label: string;
  /** The empty state, when `events` is empty. */
  empty: { title: string; text?: string };
}

/**
 * A user's events as `<ol class="timeline">`, in the order given (callers sort, newest first),
 * or the empty state. One component for the console's user view and the demo page, styled by
 * timeline.css, which both pages' styles import.
 */
export function timeline(events: ActivityEvent[], options: TimelineOptions): HTMLElement {
  if (events.length === 0) return notice("empty", options.empty.title, options.empty.text);
  return h("ol", { class: "timeline", id: options.id, "aria-label": options.label }, ...events.map(timelineItem));
}

/** Newest first, as both pages show a timeline. */
export const newestFirst = (events: ActivityEvent[]) => [...events].sort((a, b) => Date.parse(b.startAt) - Date.parse(a.startAt));

function timelineItem(e: ActivityEvent): HTMLElement {
  return h("li", { class: `event ${e.status}` },
    h("time", { datetime: e.startAt }, fmtTime(e.startAt)),
    h("span", { class: `op op-${e.operation}` }, e.operation),
    h("span", { class: "chip" }, `${e.product}/${e.env}/${e.tag}`),
    h("span", { class: "what" }, e.action ? h("b", null, e.action) : e.message),
    e.sessionId ? h("span", { class: "mono muted", title: e.sessionId }, e.sessionId.slice(0, 8)) : h("span"),
  );
}
