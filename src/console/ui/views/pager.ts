import { h } from "../dom.js";

/** Previous / next with "page x of y"; nothing when everything fits on one page. */
export function pager(total: number, page: number, limit: number, go: (page: number) => void): HTMLElement | null {
  const pages = Math.max(1, Math.ceil(total / limit));
  if (pages <= 1) return null;
  return h("nav", { class: "pager", "aria-label": "Pages" },
    h("button", { type: "button", disabled: page <= 1, onclick: () => go(page - 1) }, "← Previous"),
    h("span", { "aria-current": "page" }, `Page ${page} of ${pages}`),
    h("button", { type: "button", disabled: page >= pages, onclick: () => go(page + 1) }, "Next →"),
  );
}
