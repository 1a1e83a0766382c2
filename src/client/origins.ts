import { invalidArgument as invalid } from "../shared/errors.js";
import { pageOrigin } from "./runtime.js";

/**
 * The origins a wrapper may send the session token to: the page's own, the endpoint's (it
 * issued the token and already sees it), and those of the URLs the app lists. Only an entry's
 * origin counts (scheme, host, port): the token is a bearer credential for the whole origin.
 */
export function allowedOrigins(listed: string[] = [], baseUrl: string): Set<string | undefined> {
  try {
    return new Set([pageOrigin(), ...[baseUrl, ...listed].map((url) => new URL(url).origin)]);
  } catch {
    throw invalid("origins", "must list URLs like https://api.example.com");
  }
}
