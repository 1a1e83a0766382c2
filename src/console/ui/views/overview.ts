import type { StatsResult } from "../../../shared/protocol.js";
import { bars, lineChart } from "../chart.js";
import type { View } from "../context.js";
import { h } from "../dom.js";
import { fmtNumber, fmtReason } from "../format.js";

const RANGES = { "1h": { ms: 3_600_000, bucket: "2m", label: "Last hour" }, "24h": { ms: 86_400_000, bucket: "1h", label: "Last 24 hours" }, "7d": { ms: 604_800_000, bucket: "6h", label: "Last 7 days" } } as const;
type Range = keyof typeof RANGES;

const sum = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
const top = (m: Record<string, number>, n = 6) => Object.entries(m).sort((a, b) => b[1] - a[1]).slice(0, n);

/** Overview: active now, distinct users, activity over time, top failure reasons, reuse. */
export const overview: View = async (ctx) => {
  const range: Range = (ctx.params.get("range") as Range) in RANGES ? (ctx.params.get("range") as Range) : "24h";
  const { ms, bucket, label } = RANGES[range];
  const to = Date.now();
  const stats = await ctx.api.get<StatsResult>("/v1/stats", {
    product: ctx.scope.product, env: ctx.scope.env, tag: ctx.scope.tag || undefined,
    from: new Date(to - ms).toISOString(), to: new Date(to + 1).toISOString(), bucket,
  });
  const t = stats.totals;
  const failures = sum(t.failures);
  const times = stats.buckets.map((b) => Date.parse(b.start));
  const rangeButtons = h("div", { class: "segmented", role: "group", "aria-label": "Time range" },
    ...(Object.keys(RANGES) as Range[]).map((r) => h("button", { type: "button", "aria-pressed": String(r === range), onclick: () => ctx.go("overview", { range: r }) }, r)));

  const card = (name: string, value: number, hint: string, tone = "") =>
    h("div", { class: `kpi ${tone}` }, h("span", { class: "kpi-label" }, name), h("strong", { class: "kpi-value" }, fmtNumber(value)), h("span", { class: "kpi-hint" }, hint));

  const reasons = top(t.failures);
  const actions = top(t.actions);
  return h("section", { "aria-labelledby": "view-title" },
    h("div", { class: "view-head" }, h("h1", { id: "view-title" }, "Overview"), rangeButtons),
    stats.truncated ? h("p", { class: "notice warn", role: "status" }, `Busy range: only the newest ${fmtNumber(stats.scanned)} events are counted.`) : null,
    h("div", { class: "kpis" },
      card("Active sessions", stats.activeSessions, "now"),
      card("Users", stats.distinctUsers, label.toLowerCase()),
      card("Starts", t.starts, label.toLowerCase()),
      card("Refreshes", t.refreshes, label.toLowerCase()),
      card("Failures", failures, label.toLowerCase(), failures ? "warn" : ""),
      card("Reuse detected", t.reuseDetections, t.reuseDetections ? "sessions revoked" : "none", t.reuseDetections ? "alert" : "ok"),
    ),
    h("div", { class: "panel" },
      h("h2", null, "Activity"),
      stats.buckets.length
        ? lineChart(`Starts, refreshes and failures, ${label.toLowerCase()}`, times, [
            { name: "Starts", tone: "s-start", values: stats.buckets.map((b) => b.starts) },
            { name: "Refreshes", tone: "s-refresh", values: stats.buckets.map((b) => b.refreshes) },
            { name: "Failures", tone: "s-fail", values: stats.buckets.map((b) => sum(b.failures)) },
          ])
        : h("p", { class: "muted" }, "No buckets in this range."),
    ),
    h("div", { class: "columns" },
      h("div", { class: "panel" },
        h("h2", null, "Top failure reasons"),
        reasons.length ? bars(reasons, fmtReason, (k) => k === "refresh:reuse") : h("p", { class: "empty-line" }, "No failures in this range."),
        t.reuseDetections ? h("p", { class: "callout alert" }, h("strong", null, `${fmtNumber(t.reuseDetections)} refresh token reuse${t.reuseDetections > 1 ? "s" : ""}. `), "A rotated refresh token came back: a leak or a misbehaving client. Each revoked its session (RFC 9700 §4.14.2).") : null,
      ),
      h("div", { class: "panel" },
        h("h2", null, "Tracked actions"),
        actions.length ? bars(actions, (k) => k) : h("p", { class: "empty-line" }, "No tracked actions in this range."),
        h("p", { class: "muted small" }, `Verifications: ${fmtNumber(t.verifies.valid)} valid, ${fmtNumber(sum(t.verifies.invalid))} invalid · Revocations: ${fmtNumber(t.revokes)}`),
      ),
    ),
  );
};
