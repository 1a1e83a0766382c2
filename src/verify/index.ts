export { verifySessionToken, type VerifySessionTokenOptions, type OfflineVerifyResult } from "./verify-token.js";
export type { SessionClaims } from "./claims.js";
export type { ProofReplayCache } from "./proof-binding.js";
