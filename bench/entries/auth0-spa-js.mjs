// auth0's SPA client as its quick start uses it, with persistence across reloads
// (localStorage cache + refresh tokens) so it is comparable to a stored tessera session.
import { createAuth0Client } from "@auth0/auth0-spa-js";

export function createBenchClient(domain, clientId) {
  return createAuth0Client({ domain, clientId, cacheLocation: "localstorage", useRefreshTokens: true });
}
