import { utf8 } from "../../shared/base64url.js";
import { DPOP_WINDOW_SECONDS } from "../../shared/dpop/constants.js";
import { open, seal, serverKey } from "../tokens/primitives.js";

export interface DpopNonces {
  issue(now: number): Promise<string>;
  /** True for a nonce this server issued within the last DPOP_WINDOW_SECONDS. */
  check(nonce: string | undefined, now: number): Promise<boolean>;
}

const AAD = "tessera dpop-nonce";

/**
 * Stateless server nonces (RFC 9449 §8): the issue time sealed with AES-GCM under a key derived
 * from the server secret, so any instance sharing the secret accepts it and no store is written.
 * A nonce bounds how long a proof made in advance stays usable, whatever the client's clock says.
 */
export function createDpopNonces(secret: string): DpopNonces {
  let key: Promise<CryptoKey> | undefined;
  const nonceKey = () => (key ??= serverKey(utf8(secret), "tessera dpop-nonces"));
  return {
    async issue(now) {
      return seal(await nonceKey(), String(now), AAD);
    },
    async check(nonce, now) {
      if (typeof nonce !== "string" || nonce.length > 200) return false;
      const issuedAt = Number(await open(await nonceKey(), nonce, AAD));
      return Number.isFinite(issuedAt) && issuedAt <= now && now - issuedAt <= DPOP_WINDOW_SECONDS * 1000;
    },
  };
}
