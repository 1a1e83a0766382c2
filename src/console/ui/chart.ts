import { h, svg } from "./dom.js";
import { fmtNumber, fmtShort } from "./format.js";

export interface Series {
  name: string;
  /** A CSS class giving the colour (styles.css `.s-*`). */
  tone: string;
  values: number[];
}

const W = 760;
const H = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 };

/**
 * A line chart in inline SVG (no library, nothing fetched): one polyline per series, a light
 * grid, time ticks below. Screen readers get a summary in the label and the numbers in a table.
 */
export function lineChart(title: string, times: number[], series: Series[]): HTMLElement {
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const top = niceCeil(max);
  const n = Math.max(1, times.length - 1);
  const x = (i: number) => PAD.left + ((W - PAD.left - PAD.right) * i) / n;
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / top);
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) =>
    svg("g", { class: "grid" },
      svg("line", { x1: PAD.left, x2: W - PAD.right, y1: y(top * f), y2: y(top * f) }),
      svg("text", { x: PAD.left - 8, y: y(top * f) + 4, "text-anchor": "end" }, fmtNumber(Math.round(top * f))),
    ),
  );
  // The first and last labels hang inwards, so neither is cut at the edge.
  const anchor = (i: number) => (i === 0 ? "start" : i === times.length - 1 ? "end" : "middle");
  const ticks = times.length ? pick(times.length, 6).map((i) => svg("text", { class: "tick", x: x(i), y: H - 8, "text-anchor": anchor(i) }, fmtShort(times[i]!))) : [];
  const lines = series.map((s) =>
    svg("g", { class: `series ${s.tone}` },
      svg("path", { class: "area", d: `M${x(0)},${y(0)} ` + s.values.map((v, i) => `L${x(i)},${y(v)}`).join(" ") + ` L${x(s.values.length - 1)},${y(0)} Z` }),
      svg("polyline", { points: s.values.map((v, i) => `${x(i)},${y(v)}`).join(" ") }),
    ),
  );
  const totals = series.map((s) => `${s.name} ${fmtNumber(s.values.reduce((a, b) => a + b, 0))}`).join(", ");
  const figure = h("figure", { class: "chart" },
    svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `${title}: ${totals}`, preserveAspectRatio: "none" }, ...grid, ...lines, ...ticks),
    h("figcaption", { class: "legend" }, ...series.map((s) => h("span", { class: `key ${s.tone}` }, h("i", { "aria-hidden": "true" }), `${s.name} `, h("b", null, fmtNumber(s.values.reduce((a, b) => a + b, 0)))))),
  );
  // The numbers themselves, for screen readers (visually hidden).
  // In a wrapper: `overflow` does not apply to a table box, so .sr-only on the table itself leaks its height.
  figure.append(h("div", { class: "sr-only" }, h("table", null,
    h("caption", null, title),
    h("thead", null, h("tr", null, h("th", { scope: "col" }, "Time"), ...series.map((s) => h("th", { scope: "col" }, s.name)))),
    h("tbody", null, ...times.map((t, i) => h("tr", null, h("th", { scope: "row" }, fmtShort(t)), ...series.map((s) => h("td", null, s.values[i] ?? 0))))),
  )));
  return figure;
}

/** Horizontal bars for a ranking (failure reasons, actions). */
export function bars(entries: [string, number][], label: (key: string) => string, highlight?: (key: string) => boolean): HTMLElement {
  const max = Math.max(1, ...entries.map(([, n]) => n));
  return h("ol", { class: "bars" }, ...entries.map(([key, n]) =>
    h("li", { class: highlight?.(key) ? "hot" : "" },
      h("span", { class: "bar-label" }, label(key)),
      h("span", { class: "bar-track", "aria-hidden": "true" }, width(h("span", { class: "bar-fill" }), Math.max(2, (100 * n) / max))),
      h("span", { class: "bar-value" }, fmtNumber(n)),
    ),
  ));
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 2.5, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}

/** About `count` evenly spaced indexes of `length`. */
function pick(length: number, count: number): number[] {
  if (length <= count) return [...Array(length).keys()];
  const step = (length - 1) / (count - 1);
  return [...Array(count).keys()].map((i) => Math.round(i * step));
}

/** Through the CSSOM: the CSP (style-src 'self') refuses style attributes, not style properties. */
function width(el: HTMLElement, percent: number): HTMLElement {
  el.style.width = `${percent}%`;
  return el;
}
