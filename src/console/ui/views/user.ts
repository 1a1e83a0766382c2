import type { ActivityEvent, ListActiveResult, SessionSummary } from "../../../shared/protocol.js";
import type { View } from "../context.js";
import { h, notice } from "../dom.js";
import { fmtAgo, fmtTime } from "../format.js";
import { download, toCsv } from "../export.js";
import { readJourney } from "../journey.js";
import { newestFirst, timeline } from "../timeline.js";
import { pager } from "./pager.js";

const PAGE = 25;
const RANGES: Record<string, number> = { "24h": 86_400_000, "7d": 604_800_000, "30d": 2_592_000_000 };

interface JourneySession extends SessionSummary {
  product: string;
  env: string;
  tag: string;
  generation: number;
}

/** One user's journey: every session across products, envs and tags, and every event, in one timeline. */
export const user: View = async (ctx) => {
  const identifier = decodeURIComponent(ctx.arg);
  const rangeKey = (ctx.params.get("range") ?? "") in RANGES ? ctx.params.get("range")! : "7d";
  const from = new Date(Date.now() - RANGES[rangeKey]!).toISOString();

  const events = newestFirst(await readJourney(ctx.api, identifier, from));
  // The places this user was seen: one sessions list each, for the places still configured
  // (activity outlives a config the operator removed; /v1/sessions would refuse its tag).
  const seen = new Set(events.map((e) => `${e.product}\n${e.env}\n${e.tag}`));
  const configured = new Set(ctx.products.flatMap((p) => p.envs.flatMap((env) => p.sessions.map((s) => `${p.tag}\n${env}\n${s.tag}`))));
  const sessionLists = await Promise.all([...seen].filter((key) => configured.has(key)).map(async (key) => {
    const [product = "", env = "", tag = ""] = key.split("\n");
    const list = await ctx.api.get<ListActiveResult>("/v1/sessions", { product, env, tag, identifier, status: "all", limit: 100 });
    return list.sessions.map((x): JourneySession => ({ ...x, product, env, tag, generation: generationOf(events, x.sessionId) }));
  }));
  const sessions = sessionLists.flat().sort((a, b) => Date.parse(b.startAt) - Date.parse(a.startAt));

  // Filters of the timeline (in the URL, so Back works and a view can be shared).
  const op = ctx.params.get("op") ?? "";
  const status = ctx.params.get("status") ?? "";
  const where = ctx.params.get("where") ?? "";
  const page = Math.max(1, Number(ctx.params.get("page")) || 1);
  const shown = events.filter((e) => (!op || e.operation === op) && (!status || e.status === status) && (!where || `${e.product}/${e.env}/${e.tag}` === where));
  const keep = { range: rangeKey, op, status, where };
  const set = (change: Record<string, string>) => ctx.go(`user/${encodeURIComponent(identifier)}`, { ...keep, page: "", ...change });

  const select = (id: string, label: string, value: string, options: [string, string][], key: string) =>
    h("div", { class: "field" }, h("label", { for: id }, label),
      h("select", { id, onchange: (e: Event) => set({ [key]: (e.target as HTMLSelectElement).value }) },
        ...options.map(([v, text]) => h("option", { value: v, selected: v === value }, text))));

  const places = [...seen].map((k) => k.split("\n").join("/")).sort();
  const active = sessions.filter((s) => s.active);
  const revokeAll = async () => {
    if (!confirm(`Revoke all ${active.length} active session(s) of ${identifier}?`)) return;
    const scopesWithActive = new Set(active.map((s) => JSON.stringify([s.product, s.env, s.tag])));
    for (const key of scopesWithActive) {
      const [product, env, tag] = JSON.parse(key) as string[];
      await ctx.api.post("/v1/sessions/revoke-all", { product, env, tag, identifier });
    }
    ctx.announce(`Revoked ${active.length} session(s)`);
    set({});
  };
  const revokeOne = async (s: JourneySession) => {
    await ctx.api.post("/v1/sessions/revoke", { product: s.product, env: s.env, tag: s.tag, sessionId: s.sessionId });
    ctx.announce(`Session ${s.sessionId.slice(0, 8)} revoked`);
    set({});
  };
  const file = `tessera-${identifier.replace(/[^\w.-]+/g, "_")}-timeline`;

  return h("section", { "aria-labelledby": "view-title" },
    h("div", { class: "view-head" },
      h("div", null, h("p", { class: "crumb" }, h("a", { href: "#/users" }, "Users"), " / "), h("h1", { id: "view-title", class: "mono" }, identifier)),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "secondary", id: "export-json", onclick: () => download(`${file}.json`, "application/json", JSON.stringify({ identifier, sessions, events: shown }, null, 2)) }, "Export JSON"),
        h("button", { type: "button", class: "secondary", id: "export-csv", onclick: () => download(`${file}.csv`, "text/csv", toCsv(shown)) }, "Export CSV"),
        h("button", { type: "button", class: "danger", id: "revoke-all", disabled: active.length === 0, onclick: revokeAll }, "Revoke all"),
      ),
    ),
    h("div", { class: "panel" },
      h("h2", null, `Sessions (${sessions.length})`),
      sessions.length
        ? h("div", { class: "table-wrap" }, h("table", { id: "user-sessions" },
            h("thead", null, h("tr", null, ...["Session", "Where", "Started", "Ends", "Generations", "Status", ""].map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", null, ...sessions.map((s) => h("tr", null,
              h("td", { class: "mono", title: s.sessionId }, s.sessionId.slice(0, 8)),
              h("td", null, h("span", { class: "chip" }, `${s.product}/${s.env}/${s.tag}`)),
              h("td", null, h("time", { datetime: s.startAt, title: fmtTime(s.startAt) }, fmtAgo(s.startAt))),
              h("td", null, h("time", { datetime: s.endAt, title: fmtTime(s.endAt) }, fmtAgo(s.endAt))),
              h("td", { class: "num" }, s.generation),
              h("td", null, s.active ? h("span", { class: "badge ok" }, "active") : h("span", { class: "badge" }, "ended")),
              h("td", null, s.active ? h("button", { type: "button", class: "link danger", "aria-label": `Revoke session ${s.sessionId.slice(0, 8)}`, onclick: () => revokeOne(s) }, "Revoke") : null),
            ))),
          ))
        : notice("empty", "No sessions in this range", "Widen the range, or the sessions were purged."),
    ),
    h("div", { class: "panel" },
      h("h2", null, "Timeline"),
      h("div", { class: "filters" },
        select("tl-range", "Range", rangeKey, [["24h", "Last 24 hours"], ["7d", "Last 7 days"], ["30d", "Last 30 days"]], "range"),
        select("tl-op", "Operation", op, [["", "All operations"], ...["create", "refresh", "verify", "revoke", "track"].map((o): [string, string] => [o, o])], "op"),
        select("tl-status", "Status", status, [["", "Any status"], ["success", "success"], ["fail", "fail"]], "status"),
        select("tl-where", "Where", where, [["", "Everywhere"], ...places.map((p): [string, string] => [p, p])], "where"),
      ),
      timeline(shown.slice((page - 1) * PAGE, page * PAGE), {
        id: "timeline",
        label: `Timeline of ${identifier}`,
        empty: { title: "Nothing to show", text: events.length ? "No event matches these filters." : "No activity for this user in the range." },
      }),
      pager(shown.length, page, PAGE, (p) => set({ page: String(p) })),
    ),
  );
};

/** The latest generation a refresh reached, from "rotated to generation N" in the timeline. */
function generationOf(events: ActivityEvent[], sessionId: string): number {
  let max = 0;
  for (const e of events) {
    if (e.sessionId !== sessionId || e.operation !== "refresh") continue;
    const n = Number(/generation (\d+)$/.exec(e.message)?.[1] ?? 0);
    if (n > max) max = n;
  }
  return max;
}
