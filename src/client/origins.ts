import { invalidArgument as invalid } from "../shared/errors.js";
import { pageOrigin } from "./runtime.js";

/**
 * The origins a wrapper may send the session token to: the page's own, the endpoint's (it
 * issued the token and already sees it), and those the app lists. A listed entry must be a bare
 * origin (`https://api.example.com`): a path would suggest a scope that origins cannot enforce.
 */
export function allowedOrigins(listed: unknown, baseUrl: string): Set<string | undefined> {
  const allowed = new Set([new URL(baseUrl).origin, pageOrigin()]);
  if (listed !== undefined && !Array.isArray(listed)) throw invalid("origins", "must be an array of origins");
  for (const entry of (listed ?? []) as unknown[]) {
    let origin: string | undefined;
    try {
      origin = new URL(entry as string).origin;
    } catch {
      // refused below
    }
    if (!origin || origin === "null" || (entry as string).replace(/\/$/, "") !== origin) {
      throw invalid("origins", "must list origins like https://api.example.com (scheme, host, port; no path)");
    }
    allowed.add(origin);
  }
  return allowed;
}
