import type { ActivityEvent, RecentActivityResult } from "../../../shared/protocol.js";
import type { View } from "../context.js";
import { h, notice } from "../dom.js";
import { fmtTime } from "../format.js";

/** At most this many rows stay on the page; older ones drop off. */
const KEEP = 200;
const EVERY_MS = 2_000;

/** Live: the product's newest events, polled every 2 s, bounded, pausable. */
export const live: View = async (ctx) => {
  const query = { product: ctx.scope.product, env: ctx.scope.env, tag: ctx.scope.tag || undefined };
  const first = await ctx.api.get<RecentActivityResult>("/v1/activity", { ...query, limit: 50 });
  const seen = new Set<string>();
  const key = (e: ActivityEvent) => `${e.startAt}|${e.endAt}|${e.sessionId}|${e.identifier}|${e.operation}|${e.message}`;
  let newest = first.events[0]?.startAt;
  const list = h("ol", { class: "feed", id: "feed" });
  const empty = notice("empty", "Waiting for events", "New starts, refreshes, verifies and actions appear here as they happen.");
  const state = h("span", { class: "live-state on", id: "live-state" }, "Live");
  const counter = h("span", { class: "muted", "aria-live": "polite", id: "live-count" });
  let added = 0;

  const add = (events: ActivityEvent[], fresh: boolean) => {
    // Oldest first, each prepended: the newest ends on top.
    for (const e of [...events].reverse()) {
      const k = key(e);
      if (seen.has(k)) continue;
      seen.add(k);
      list.prepend(h("li", { class: `event ${e.status}${fresh ? " fresh" : ""}` },
        h("time", { datetime: e.startAt }, fmtTime(e.startAt)),
        h("span", { class: `op op-${e.operation}` }, e.operation),
        h("a", { class: "mono", href: `#/user/${encodeURIComponent(e.identifier)}` }, e.identifier),
        h("span", { class: "chip" }, e.tag),
        h("span", { class: "what" }, e.action ? h("b", null, e.action) : e.message),
      ));
      if (fresh) added++;
    }
    while (list.children.length > KEEP) list.lastElementChild!.remove();
    empty.hidden = list.children.length > 0;
    if (fresh && added) counter.textContent = `${added} new since you opened this view`;
  };
  add(first.events, false);

  let paused = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let left = false;
  const poll = async () => {
    if (left || paused) return;
    try {
      const next = await ctx.api.get<RecentActivityResult>("/v1/activity", { ...query, from: newest, limit: 100 });
      if (next.events[0]) newest = next.events[0].startAt;
      add(next.events, true);
      state.textContent = "Live";
      state.className = "live-state on";
    } catch {
      state.textContent = "Reconnecting…";
      state.className = "live-state off";
    }
    if (!left) timer = setTimeout(poll, EVERY_MS);
  };
  timer = setTimeout(poll, EVERY_MS);
  ctx.onLeave(() => {
    left = true;
    clearTimeout(timer);
  });
  const toggle = h("button", { type: "button", class: "secondary", id: "live-toggle", "aria-pressed": "false", onclick: () => {
    paused = !paused;
    toggle.textContent = paused ? "Resume" : "Pause";
    toggle.setAttribute("aria-pressed", String(paused));
    state.textContent = paused ? "Paused" : "Live";
    state.className = `live-state ${paused ? "off" : "on"}`;
    if (!paused) poll();
  } }, "Pause");

  return h("section", { "aria-labelledby": "view-title" },
    h("div", { class: "view-head" }, h("h1", { id: "view-title" }, "Live"), h("div", { class: "actions" }, state, counter, toggle)),
    h("div", { class: "panel" }, h("p", { class: "muted small" }, `Polled every ${EVERY_MS / 1000} s; the newest ${KEEP} events stay on the page.`), empty, list),
  );
};
