import type { ProductsResult } from "../../shared/protocol.js";
import type { Api } from "./api.js";

export type Products = ProductsResult["products"];

/** What a view gets: the API, the endpoint's products, the selected scope and its own parameters. */
export interface ViewContext {
  api: Api;
  products: Products;
  /**
   * `tag` is "" for every tag of the product (views that need one take the first); `product`
   * and `env` are ALL ("*") for every one, in views that read across them (`allScopes`) only.
   */
  scope: { product: string; env: string; tag: string };
  /** The view's part of the URL fragment: `#/user/<arg>?...`. */
  arg: string;
  params: URLSearchParams;
  /** Navigates, keeping the scope unless `params` replace it. */
  go(view: string, params?: Record<string, string>): void;
  /** Runs when the view is left (timers, polling). */
  onLeave(fn: () => void): void;
  /** Spoken by screen readers (a polite live region). */
  announce(text: string): void;
}

export type View = (ctx: ViewContext) => Promise<HTMLElement>;

/** The tags of the selected product. */
export const tagsOf = (ctx: Pick<ViewContext, "products" | "scope">) => ctx.products.find((p) => p.tag === ctx.scope.product)?.sessions ?? [];

/** The scope value "every product" or "every env" (views with `allScopes`). */
export const ALL = "*";

/** The scope as query parameters of the endpoint: "every one" is left out. */
export const scopeQuery = ({ product, env, tag }: ViewContext["scope"]) => ({
  product: product === ALL ? undefined : product,
  env: env === ALL ? undefined : env,
  tag: tag || undefined,
});
