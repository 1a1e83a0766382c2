import type { ListUsersResult } from "../../../shared/protocol.js";
import { ALL, scopeQuery, type View } from "../context.js";
import { h, notice } from "../dom.js";
import { fmtAgo, fmtNumber, fmtTime } from "../format.js";
import { pager } from "./pager.js";

const LIMIT = 25;

/**
 * Session users, most recently seen first: one row per identifier across the tags (and, with
 * "All products" or "All envs", the products and envs) picked; search by identifier prefix, active only.
 */
export const users: View = async (ctx) => {
  const { product, env, tag } = ctx.scope;
  const where = [product === ALL ? "all products" : product, env === ALL ? "all envs" : env, tag || "all tags"].join(" · ");
  const search = ctx.params.get("q") ?? "";
  const active = ctx.params.get("active") === "1";
  const page = Math.max(1, Number(ctx.params.get("page")) || 1);
  const result = await ctx.api.get<ListUsersResult>("/v1/users", { ...scopeQuery(ctx.scope), search: search || undefined, active: active || undefined, page, limit: LIMIT });
  // The user view reads every product and env itself; the link keeps what is one of them.
  const userScope = new URLSearchParams(Object.entries(scopeQuery(ctx.scope)).filter((e): e is [string, string] => e[1] !== undefined));

  const input = h("input", { id: "user-search", type: "search", value: search, placeholder: "Identifier starts with…", autocomplete: "off", spellcheck: "false" });
  const form = h("form", { class: "filters", role: "search", onsubmit: (e: Event) => {
    e.preventDefault();
    ctx.go("users", { q: input.value.trim(), active: checkbox.checked ? "1" : "", page: "" });
  } },
    h("label", { for: "user-search" }, "Search users"), input,
    h("label", { class: "check" }, h("input", { type: "checkbox", id: "user-active", checked: active }), " Active now"),
    h("button", { type: "submit" }, "Search"),
  );
  const checkbox = form.querySelector<HTMLInputElement>("#user-active")!;
  checkbox.addEventListener("change", () => form.requestSubmit());

  const table = result.users.length
    ? h("div", { class: "table-wrap" }, h("table", null,
        h("caption", { class: "sr-only" }, `Users of ${where}, most recently seen first`),
        h("thead", null, h("tr", null, ...["Identifier", "Last seen", "First seen", "Sessions", "Active now"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", null, ...result.users.map((u) => h("tr", null,
          h("td", null, h("a", { href: `#/user/${encodeURIComponent(u.identifier)}?${userScope}`, class: "mono" }, u.identifier)),
          h("td", null, h("time", { datetime: u.lastSeen, title: fmtTime(u.lastSeen) }, fmtAgo(u.lastSeen))),
          h("td", null, h("time", { datetime: u.firstSeen }, fmtTime(u.firstSeen))),
          h("td", { class: "num" }, fmtNumber(u.totalSessions)),
          h("td", null, u.activeSessions ? h("span", { class: "badge ok" }, `${u.activeSessions} active`) : h("span", { class: "badge" }, "inactive")),
        ))),
      ))
    : notice("empty", search || active ? "No users match" : "No users yet", search || active ? "Try another search or clear the filters." : "Users appear here once a session starts in this scope.");

  return h("section", { "aria-labelledby": "view-title" },
    h("div", { class: "view-head" }, h("h1", { id: "view-title" }, "Users"), h("span", { class: "muted", id: "users-count" }, `${fmtNumber(result.total)} in ${where}`)),
    h("div", { class: "panel" }, form, table,
      // The endpoint reads a bounded slice of each product and env's users (docs/protocol.md).
      result.truncated ? h("p", { class: "muted", role: "note" }, "Showing the users found among the most recently seen (or, with a search, the first matches): narrow the search to find others.") : null,
      pager(result.total, page, LIMIT, (p) => ctx.go("users", { q: search, active: active ? "1" : "", page: String(p) }))),
  );
};
