export { verifySessionToken, ANY, type Any, type VerifySessionTokenOptions, type OfflineVerifyResult } from "./verify-token.js";
export { sessionAudience } from "./claims.js";
export type { SessionClaims } from "./claims.js";
export type { ProofReplayCache } from "./proof-binding.js";
