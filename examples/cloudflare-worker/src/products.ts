import type { ProductInput } from "tessera-sessions/server";

/** The session configs this endpoint serves: the reference page's example. */
const SIGNED_IN = {
  tag: "session-tag",
  name: "Signed-in user",
  schema: { userId: "string", details: { username: "string?", email: "string" } },
  selector: "$Session{userId}",
  expiry: 15,
  period: "mins",
  refresh: { expiry: 30, period: "days" },
} satisfies ProductInput["sessions"][number];

export const PRODUCTS: ProductInput[] = [
  {
    tag: "my-product-tag",
    envs: ["dev", "snd", "prd"],
    sessions: [
      SIGNED_IN,
      // For pages that keep their own tokens (POST /auth/login, sign-in.ts): the same session,
      // each token bound to the page's DPoP key, worthless without it (docs/dpop.md).
      { ...SIGNED_IN, tag: "web", name: "Signed-in user, bound to the browser", binding: "dpop" },
    ],
  },
];

export const PRODUCT = "my-product-tag";
export const SESSION_TAG = "session-tag";
export const BOUND_TAG = "web";
