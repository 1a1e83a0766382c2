// oidc-client-ts: the UserManager is the client a web app creates; its user store keeps
// the session in Web Storage.
import { UserManager, WebStorageStateStore } from "oidc-client-ts";

export function createBenchClient(authority, clientId, redirectUri) {
  return new UserManager({
    authority,
    client_id: clientId,
    redirect_uri: redirectUri,
    automaticSilentRenew: true,
    userStore: new WebStorageStateStore({ store: globalThis.localStorage }),
  });
}
