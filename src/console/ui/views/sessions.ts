import type { ListActiveResult } from "../../../shared/protocol.js";
import { tagsOf, type View } from "../context.js";
import { h, notice } from "../dom.js";
import { fmtAgo, fmtNumber, fmtTime } from "../format.js";
import { pager } from "./pager.js";

const LIMIT = 25;

/** Sessions of a product, env and tag; active ones, or all until purged. */
export const sessions: View = async (ctx) => {
  const tag = ctx.scope.tag || tagsOf(ctx)[0]?.tag || "";
  const status = ctx.params.get("status") === "all" ? "all" : "active";
  const page = Math.max(1, Number(ctx.params.get("page")) || 1);
  const result = await ctx.api.get<ListActiveResult>("/v1/sessions", { product: ctx.scope.product, env: ctx.scope.env, tag, status, page, limit: LIMIT });
  const select = h("select", { id: "session-status", onchange: (e: Event) => ctx.go("sessions", { status: (e.target as HTMLSelectElement).value, page: "" }) },
    h("option", { value: "active", selected: status === "active" }, "Active"),
    h("option", { value: "all", selected: status === "all" }, "All (active and ended)"),
  );
  const table = result.sessions.length
    ? h("div", { class: "table-wrap" }, h("table", null,
        h("caption", { class: "sr-only" }, `Sessions of ${tag}, newest first`),
        h("thead", null, h("tr", null, ...["Session", "Identifier", "Started", "Ends", "Status"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", null, ...result.sessions.map((s) => h("tr", null,
          h("td", { class: "mono", title: s.sessionId }, s.sessionId.slice(0, 8)),
          h("td", null, h("a", { class: "mono", href: `#/user/${encodeURIComponent(s.identifier)}?${new URLSearchParams({ product: ctx.scope.product, env: ctx.scope.env, tag: ctx.scope.tag })}` }, s.identifier)),
          h("td", null, h("time", { datetime: s.startAt, title: fmtTime(s.startAt) }, fmtAgo(s.startAt))),
          h("td", null, h("time", { datetime: s.endAt, title: fmtTime(s.endAt) }, fmtAgo(s.endAt))),
          h("td", null, s.active ? h("span", { class: "badge ok" }, "active") : h("span", { class: "badge" }, "ended")),
        ))),
      ))
    : notice("empty", status === "active" ? "No active sessions" : "No sessions", "Sessions appear here when they start; ended ones stay until purged.");
  return h("section", { "aria-labelledby": "view-title" },
    h("div", { class: "view-head" }, h("h1", { id: "view-title" }, "Sessions"), h("span", { class: "muted" }, `${fmtNumber(result.total)} ${status === "active" ? "active" : "in total"} in ${tag}`)),
    h("div", { class: "panel" },
      h("div", { class: "filters" }, h("label", { for: "session-status" }, "Status"), select),
      table,
      pager(result.total, page, LIMIT, (p) => ctx.go("sessions", { status, page: String(p) })),
    ),
  );
};
