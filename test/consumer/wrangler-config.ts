import { readFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "../support/tarball.ts";

export interface WranglerConfig {
  main: string;
  compatibility_date: string;
  compatibility_flags?: string[];
  vars?: Record<string, string>;
}

/** The Worker example's wrangler.jsonc: the compatibility settings the consumer stage runs under. */
export function exampleWranglerConfig(): WranglerConfig {
  const text = readFileSync(join(root, "examples/cloudflare-worker/wrangler.jsonc"), "utf8");
  // JSONC: drop `//` comments outside strings (the vars hold URLs with `//`).
  return JSON.parse(text.replace(/("(?:\\.|[^"\\])*")|\/\/[^\n]*/g, (_, string: string | undefined) => string ?? "")) as WranglerConfig;
}

/** Miniflare's options for exactly those settings. */
export function compatibilityOf(config: WranglerConfig): { compatibilityDate: string; compatibilityFlags: string[] } {
  return { compatibilityDate: config.compatibility_date, compatibilityFlags: config.compatibility_flags ?? [] };
}
