import type { ActivityResult } from "../../../shared/protocol.js";
import { newestFirst, timeline } from "../../../console/ui/timeline.js";
import { $, status } from "./dom.js";

const LIMIT = 100;

/**
 * The identifier's timeline through GET /demo/activity (the secret key stays server-side),
 * drawn by the console's timeline component: the same markup and style as its user view.
 */
export async function renderActivity(scope: { product: string; env: string; identifier: string | null }) {
  const box = $("activity");
  if (!scope.identifier) {
    box.replaceChildren(timeline([], { id: "activity-timeline", label: "Activity", empty: { title: "No one signed in yet", text: "Start a session: its events appear here." } }));
    return;
  }
  const identifier = scope.identifier;
  const read = async (page: number): Promise<ActivityResult | null> => {
    const query = new URLSearchParams({ product: scope.product, env: scope.env, identifier, page: String(page), limit: String(LIMIT) });
    const response = await fetch("/demo/activity?" + query);
    const body = (await response.json()) as ActivityResult & { error?: { message: string } };
    if (response.ok) return body;
    status("activity: " + (body.error ? body.error.message : response.status), true);
    return null;
  };
  const first = await read(1);
  if (!first) return;
  // Oldest first from the endpoint: past one page, the newest LIMIT are on the last two pages.
  let events = first.events;
  const last = Math.ceil(first.total / LIMIT);
  if (last > 1) {
    const pages = await Promise.all((last > 2 ? [last - 1, last] : [last]).map(read));
    if (pages.some((p) => p === null)) return;
    events = [...(last > 2 ? [] : first.events), ...pages.flatMap((p) => p!.events)].slice(-LIMIT);
  }
  box.replaceChildren(timeline(newestFirst(events), {
    id: "activity-timeline",
    label: `Activity of ${identifier}`,
    empty: { title: "No activity yet", text: `Nothing recorded for ${identifier} in ${scope.product}/${scope.env}.` },
  }));
  $("activity-who").textContent = identifier + " (" + (events.length < first.total ? "newest " + events.length + " of " : "") + first.total + " events)";
}
