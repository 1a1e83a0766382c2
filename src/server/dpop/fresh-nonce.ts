import { DPOP_HEADER, DPOP_NONCE_HEADER } from "../../shared/dpop/constants.js";
import type { ServerContext } from "../context.js";

/**
 * RFC 9449 §8.2: with server nonces on, every answer to a request that carried a DPoP proof
 * (successes included) carries the current nonce, so a client switches to the next one before
 * its own expires instead of paying a `use_dpop_nonce` 401 each nonce period. An answer that
 * already names a nonce (that refusal) keeps its own. null when nonces are off: the router then
 * adds no step to any answer.
 */
export function freshNonces(server: ServerContext): ((request: Request, response: Response) => Promise<Response>) | null {
  const nonces = server.dpopNonces;
  if (!nonces) return null;
  return async (request, response) => {
    if (!request.headers.has(DPOP_HEADER) || response.headers.has(DPOP_NONCE_HEADER)) return response;
    let nonce: string;
    try {
      nonce = await nonces.issue(server.now());
    } catch {
      // The answer stands without a nonce; the client's next proof gets one through the 401 path.
      return response;
    }
    const headers = new Headers(response.headers);
    headers.set(DPOP_NONCE_HEADER, nonce);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}
