import type { ProductsResult } from "../../shared/protocol.js";
import { ApiError, createApi } from "./api.js";
import { ALL, type ViewContext, type View } from "./context.js";
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

/** `needsTag`: no "All tags"; `allScopes`: "All products" and "All envs" too. */
const VIEWS: Record<string, { title: string; view: View; nav?: boolean; needsTag?: boolean; allScopes?: boolean }> = {
  overview: { title: "Overview", view: overview, nav: true },
  users: { title: "Users", view: users, nav: true, allScopes: true },
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

/** The scope the URL names, made valid: a view without `allScopes` gets a product and env. */
function scopeFrom(params: URLSearchParams, allScopes = false) {
  const all = (name: string) => allScopes && params.get(name) === ALL;
  const product = all("product") ? null : products.find((p) => p.tag === params.get("product")) ?? products[0]!;
  const within = product ? [product] : products;
  const env = within.some((p) => p.envs.includes(params.get("env") ?? "")) ? params.get("env")! : all("env") || !product ? ALL : product.envs[0]!;
  const tag = within.some((p) => p.sessions.some((s) => s.tag === params.get("tag"))) ? params.get("tag")! : "";
  return { product: product?.tag ?? ALL, env, tag };
}

const allScopesOf = (view: string) => VIEWS[view.split("/")[0]!]?.allScopes === true;

function go(view: string, change: Record<string, string> = {}): void {
  const { params } = parseHash();
  const next = new URLSearchParams();
  const scope = scopeFrom(params, allScopesOf(view));
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
  const scope = scopeFrom(params, entry.allScopes);
  app.replaceChildren(shell(name, scope, entry.needsTag === true, entry.allScopes === true));
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

function shell(current: string, scope: { product: string; env: string; tag: string }, needsTag: boolean, allScopes: boolean): DocumentFragment {
  // Every product's envs and tags when the scope is all products.
  const within = products.filter((p) => scope.product === ALL || p.tag === scope.product);
  const unique = <T>(list: T[]) => [...new Set(list)];
  const pick = (id: string, label: string, value: string, options: [string, string][], key: string) =>
    h("div", { class: "field" }, h("label", { for: id }, label),
      h("select", { id, onchange: (e: Event) => {
        const { name, arg } = parseHash();
        const change: Record<string, string> = { [key]: (e.target as HTMLSelectElement).value };
        // A view across envs stays across envs when the product changes.
        if (key === "product") Object.assign(change, { env: allScopes ? ALL : "", tag: "" });
        go(arg ? `${name}/${arg}` : name, change);
      } }, ...options.map(([v, text]) => h("option", { value: v, selected: v === value }, text))));
  const sessions = within.flatMap((p) => p.sessions).filter((s, i, list) => list.findIndex((x) => x.tag === s.tag) === i);
  const tagOptions: [string, string][] = sessions.map((s) => [s.tag, s.name === s.tag ? s.tag : `${s.name} (${s.tag})`]);
  const every = (label: string): [string, string][] => (allScopes ? [[ALL, label]] : []);
  const fragment = document.createDocumentFragment();
  fragment.append(
    h("header", { class: "top" },
      h("a", { class: "brand", href: "#/overview" }, h("span", { class: "logo", "aria-hidden": "true" }), "tessera", h("span", { class: "brand-sub" }, "Sessions console")),
      h("div", { class: "scope", role: "group", "aria-label": "Scope" },
        pick("scope-product", "Product", scope.product, [...every("All products"), ...products.map((p): [string, string] => [p.tag, p.tag])], "product"),
        pick("scope-env", "Env", scope.env, [...every("All envs"), ...unique(within.flatMap((p) => p.envs)).map((e): [string, string] => [e, e])], "env"),
        pick("scope-tag", "Tag", needsTag ? scope.tag || sessions[0]!.tag : scope.tag, needsTag ? tagOptions : [["", "All tags"], ...tagOptions], "tag"),
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
