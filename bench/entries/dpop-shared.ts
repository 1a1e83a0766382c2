// The DPoP proof helpers shared by client and server, for bench/dpop.mjs.
export { createDpopProof } from "../../src/shared/dpop/create-proof.js";
export { checkDpopProof } from "../../src/shared/dpop/check-proof.js";
