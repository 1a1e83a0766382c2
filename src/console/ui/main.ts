import type { ProductsResult } from "../../shared/protocol.js";
import { ApiError, createApi } from "./api.js";
import type { ViewContext, View } from "./context.js";
import { h, notice } from "./dom.js";
import { live } from "./views/live.js";
import { overview } from "./views/overview.js";
import { sessions } from "./views/sessions.js";
import { user } from "./views/user.js";
import { users } from "./views/users.js";

const meta = (name: string) => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? "";
const endpoint = meta("tessera-endpoint");
const keyless = meta("tessera-mode") === "keyless";

// The secret key, in memory only: never written to storage, the URL or the console.
let secretKey: string | null = null;
const api = createApi(endpoint, () => secretKey);

const VIEWS: Record<string, { title: string; view: View; nav?: boolean; needsTag?: boolean }> = {
  overview: { title: "Overview", view: overview, nav: true },
  users: { title: "Users", view: users, nav: true, needsTag: true },
  sessions: { title: "Sessions", view: sessions, nav: true, needsTag: true },
  live: { title: "Live", view: live, nav: true },
  user: { title: "User", view: user },
};

const app = document.getElementById("app")!;
const announcer = h("div", { class: "sr-only", "aria-live": "polite", id: "announcer" });
let products: ProductsResult["products"] = [];
let leave: (() => void)[] = [];

/** `#/view/arg?params` */
function parseHash(): { name: string; arg: string; params: URLSearchParams } {
  const [path = "", query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [name = "overview", ...rest] = path.split("/");
  return { name: name in VIEWS ? name : "overview", arg: rest.join("/"), params: new URLSearchParams(query) };
}

function scopeFrom(params: URLSearchParams) {
  const product = products.find((p) => p.tag === params.get("product")) ?? products[0]!;
  const env = product.envs.includes(params.get("env") ?? "") ? params.get("env")! : product.envs[0]!;
  const tag = product.sessions.some((s) => s.tag === params.get("tag")) ? params.get("tag")! : "";
  return { product: product.tag, env, tag };
}

function go(view: string, change: Record<string, string> = {}): void {
  const { params } = parseHash();
  const next = new URLSearchParams();
  const scope = scopeFrom(params);
  for (const [k, v] of Object.entries({ ...scope, ...change })) if (v) next.set(k, v);
  const target = `#/${view}?${next}`;
  // The same fragment fires no hashchange: render again (after a revoke, say).
  if (location.hash === target) void render();
  else location.hash = target;
}

async function render(): Promise<void> {
  leave.forEach((fn) => fn());
  leave = [];
  const { name, arg, params } = parseHash();
  const entry = VIEWS[name]!;
  const scope = scopeFrom(params);
  app.replaceChildren(shell(name, scope, entry.needsTag === true));
  const main = document.getElementById("main")!;
  main.replaceChildren(notice("loading", "Loading…"));
  app.setAttribute("aria-busy", "true");
  const ctx: ViewContext = { api, products, scope, arg, params, go, onLeave: (fn) => leave.push(fn), announce: (text) => (announcer.textContent = text) };
  try {
    const content = await entry.view(ctx);
    if (parseHash().name !== name) return; // navigated away meanwhile
    main.replaceChildren(content);
    document.title = `${entry.title} · Sessions console`;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && !keyless) return lock("The key was refused. Enter a secret key.");
    main.replaceChildren(notice("error", "Could not load this view", error instanceof Error ? error.message : String(error)), h("p", null, h("button", { type: "button", onclick: () => void render() }, "Try again")));
  } finally {
    app.setAttribute("aria-busy", "false");
  }
}

function shell(current: string, scope: { product: string; env: string; tag: string }, needsTag: boolean): DocumentFragment {
  const product = products.find((p) => p.tag === scope.product)!;
  const pick = (id: string, label: string, value: string, options: [string, string][], key: string) =>
    h("div", { class: "field" }, h("label", { for: id }, label),
      h("select", { id, onchange: (e: Event) => {
        const { name, arg } = parseHash();
        const change: Record<string, string> = { [key]: (e.target as HTMLSelectElement).value };
        if (key === "product") Object.assign(change, { env: "", tag: "" });
        go(arg ? `${name}/${arg}` : name, change);
      } }, ...options.map(([v, text]) => h("option", { value: v, selected: v === value }, text))));
  const tagOptions: [string, string][] = product.sessions.map((s) => [s.tag, s.name === s.tag ? s.tag : `${s.name} (${s.tag})`]);
  const fragment = document.createDocumentFragment();
  fragment.append(
    h("header", { class: "top" },
      h("a", { class: "brand", href: "#/overview" }, h("span", { class: "logo", "aria-hidden": "true" }), "tessera", h("span", { class: "brand-sub" }, "Sessions console")),
      h("div", { class: "scope", role: "group", "aria-label": "Scope" },
        pick("scope-product", "Product", scope.product, products.map((p) => [p.tag, p.tag]), "product"),
        pick("scope-env", "Env", scope.env, product.envs.map((e) => [e, e]), "env"),
        pick("scope-tag", "Tag", needsTag ? scope.tag || product.sessions[0]!.tag : scope.tag, needsTag ? tagOptions : [["", "All tags"], ...tagOptions], "tag"),
      ),
      keyless ? h("span", { class: "mode", title: "tessera dev adds the secret key on the server side" }, "dev") : h("button", { type: "button", class: "secondary small", id: "lock", onclick: () => lock("Locked. Enter a secret key to continue.") }, "Lock"),
    ),
    h("nav", { class: "side", "aria-label": "Views" },
      h("ul", null, ...Object.entries(VIEWS).filter(([, v]) => v.nav).map(([name, v]) =>
        h("li", null, h("a", { href: `#/${name}?${new URLSearchParams(Object.entries(scope).filter(([, x]) => x))}`, "aria-current": name === current || (current === "user" && name === "users") ? "page" : null }, v.title)))),
    ),
    h("main", { id: "main", tabindex: "-1" }),
    announcer,
  );
  return fragment;
}

/** Production: ask for the secret key; it is kept in this page's memory only. */
function lock(message?: string): void {
  secretKey = null;
  leave.forEach((fn) => fn());
  leave = [];
  const input = h("input", { id: "secret-key", type: "password", autocomplete: "off", spellcheck: "false", required: true, placeholder: "tsk_…", "aria-describedby": "key-help" });
  const error = h("p", { class: "form-error", role: "alert", id: "key-error" }, message ?? "");
  const form = h("form", { class: "login", onsubmit: async (e: Event) => {
    e.preventDefault();
    secretKey = input.value.trim();
    input.value = "";
    if (!/^tsk_/.test(secretKey)) {
      secretKey = null;
      error.textContent = "That is not a secret key: secret keys start with tsk_.";
      return input.focus();
    }
    if (!(await connect(error))) return input.focus();
  } },
    h("span", { class: "logo big", "aria-hidden": "true" }),
    h("h1", null, "Sessions console"),
    h("p", { id: "key-help", class: "muted" }, "Enter a secret access key. It stays in this tab's memory: never stored, never in the URL. Reloading the page forgets it."),
    h("label", { for: "secret-key" }, "Secret key"), input, error,
    h("button", { type: "submit" }, "Connect"),
  );
  app.replaceChildren(h("div", { class: "login-wrap" }, form));
  app.setAttribute("aria-busy", "false");
  input.focus();
}

async function connect(error?: HTMLElement): Promise<boolean> {
  try {
    products = (await api.get<ProductsResult>("/v1/products")).products;
  } catch (e) {
    const text = e instanceof ApiError && (e.status === 401 || e.status === 403) ? "The endpoint refused this key (a secret key is needed)." : e instanceof Error ? e.message : String(e);
    if (error) error.textContent = text;
    else app.replaceChildren(notice("error", "Cannot reach the sessions endpoint", text));
    secretKey = null;
    return false;
  }
  if (products.length === 0) {
    app.replaceChildren(notice("empty", "No products", "The endpoint serves no products yet."));
    return true;
  }
  await render();
  return true;
}

addEventListener("hashchange", () => {
  if (secretKey !== null || keyless) void render().then(() => document.getElementById("main")?.focus({ preventScroll: true }));
});
if (keyless) void connect();
else lock();
