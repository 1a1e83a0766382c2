import type { BeforeRequestHook } from "ky";
import type { Session } from "./types.js";

type GetSession = () => Promise<Session | null>;

/** `Authorization: Session <tag>:<jwt>`: the scheme the endpoint's /track and apps' backends read. */
function authorization(session: Session): string {
  return `Session ${session.token}`;
}

/**
 * A ky `beforeRequest` hook for the app's own API calls: gets the session (refreshed first when
 * inside the margin) and attaches it. Without a session the request goes out unchanged, so the
 * app's backend answers 401 the way it does for any anonymous call.
 */
export function sessionHook(getSession: GetSession): BeforeRequestHook {
  return async (request) => {
    const session = await getSession();
    if (session) request.headers.set("authorization", authorization(session));
  };
}

/** The same for plain fetch: `const api = tessera.sessions.fetch({ tag }); await api("/me")`. */
export function sessionFetch(
  getSession: GetSession,
  fetchImpl?: (input: Request) => Promise<Response>,
): (input: RequestInfo | URL, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const request = new Request(input, init);
    const session = await getSession();
    if (session) request.headers.set("authorization", authorization(session));
    // Resolved per call, so SSR code can build the wrapper before a fetch exists.
    return fetchImpl ? fetchImpl(request) : fetch(request);
  };
}
