import { SessionError } from "../../shared/errors.js";
import { DPOP_NONCE_HEADER } from "../../shared/dpop/constants.js";

/**
 * The three DPoP refusals, each a 401 with `WWW-Authenticate: DPoP` (RFC 9449 §7.1) so a
 * client can tell them from an expired session. http/respond.ts copies `headers` to the answer.
 */
const refusal = (code: "DPOP_REQUIRED" | "DPOP_INVALID" | "DPOP_NONCE", message: string, error: string, extra: Record<string, string> = {}) =>
  Object.assign(new SessionError(code, message), {
    headers: { "www-authenticate": `DPoP realm="tessera", error="${error}", algs="ES256"`, ...extra },
  });

export const dpopRequired = (message: string) => refusal("DPOP_REQUIRED", message, "invalid_token");

export const dpopInvalid = (problem: string) => refusal("DPOP_INVALID", `invalid DPoP proof: ${problem}`, "invalid_dpop_proof");

/** RFC 9449 §8: the client retries once with the nonce in this answer's DPoP-Nonce header. */
export const dpopNonce = (nonce: string) =>
  refusal("DPOP_NONCE", "the DPoP proof must carry the server's nonce (DPoP-Nonce)", "use_dpop_nonce", { [DPOP_NONCE_HEADER]: nonce });
