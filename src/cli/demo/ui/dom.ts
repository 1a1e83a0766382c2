/** The demo page's small DOM helpers. */
export const $ = (id: string) => document.getElementById(id)!;

export function status(text: string, error = false) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

export function log(text: string) {
  const li = document.createElement("li");
  li.textContent = new Date().toLocaleTimeString() + "  " + text;
  $("log").prepend(li);
}

/** A `<dt>name</dt><dd>value</dd>` pair; textContent only, so a token never becomes markup. */
export function textRow(dl: HTMLDListElement, name: string, value: string, id?: string) {
  const dt = document.createElement("dt");
  dt.textContent = name;
  const dd = document.createElement("dd");
  dd.textContent = value;
  if (id) dd.id = id;
  dd.className = "mono";
  dl.append(dt, dd);
}

/** Header and claims of `<tag>:<jws>`, unverified: for display only. */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } | null {
  try {
    const jwt = token.slice(token.indexOf(":") + 1);
    const part = (s: string) => JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))));
    const [h = "", p = ""] = jwt.split(".");
    return { header: part(h), payload: part(p) };
  } catch {
    return null;
  }
}
