import { $, status } from "./dom.js";

interface ActivityEvent { startAt: string; operation: string; action?: string; status: string; sessionId?: string; message?: string }

/** The identifier's timeline through GET /demo/activity (the secret key stays server-side). */
export async function renderActivity(scope: { product: string; env: string; identifier: string | null }) {
  const tbody = $("activity").querySelector("tbody")!;
  if (!scope.identifier) {
    tbody.replaceChildren();
    return;
  }
  const query = new URLSearchParams({ product: scope.product, env: scope.env, identifier: scope.identifier });
  const response = await fetch("/demo/activity?" + query);
  const body = (await response.json()) as { events?: ActivityEvent[]; total?: number; error?: { message: string } };
  if (!response.ok) {
    status("activity: " + (body.error ? body.error.message : response.status), true);
    return;
  }
  const events = body.events ?? [];
  tbody.replaceChildren(
    ...events.map((e) => {
      const tr = document.createElement("tr");
      const cells = [new Date(e.startAt).toLocaleTimeString(), e.operation + (e.action ? " " + e.action : ""), e.status, e.sessionId ? e.sessionId.slice(0, 8) + "…" : "—", e.message || ""];
      for (const text of cells) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      tr.children[2]!.className = e.status === "success" ? "ok" : "bad";
      return tr;
    }),
  );
  $("activity-who").textContent = scope.identifier + " (" + events.length + " of " + (body.total ?? events.length) + " events)";
}
