/**
 * The built-in config `tessera dev` uses when there is no tessera.config.json: the seed
 * page's product (docs: generating-session-tokens.md), identical to
 * examples/tessera.config.json (test/cli/config.test.ts keeps the two in step).
 */
export const SEED_CONFIG = {
  issuer: "tessera-dev",
  products: [
    {
      tag: "my-product-tag",
      name: "My product",
      envs: ["dev", "snd", "prd"],
      sessions: [
        {
          tag: "session-tag",
          name: "Signed-in user",
          description: "A user signed in through the app's backend, identified by userId. exposeData: the demo page reads its own data through verify with the publishable key.",
          schema: { userId: "string", details: { username: "string?", email: "string" } },
          selector: "$Session{userId}",
          expiry: 15,
          period: "mins",
          refresh: { expiry: 7, period: "days" },
          exposeData: true,
        },
        {
          tag: "web",
          name: "Signed-in user, bound to the browser",
          description: "The demo page's sign-in: like session-tag, but bound to the browser's DPoP key (binding: \"dpop\"), so its tokens are worthless without that browser. A curl cannot make DPoP proofs: use session-tag there.",
          schema: { userId: "string", details: { username: "string?", email: "string" } },
          selector: "$Session{userId}",
          expiry: 15,
          period: "mins",
          refresh: { expiry: 7, period: "days" },
          exposeData: true,
          binding: "dpop",
        },
        {
          tag: "guest",
          name: "Guest",
          description: "An anonymous visitor; a publishable key may start it (public: true).",
          schema: { userId: "string" },
          selector: "$Session{userId}",
          expiry: 15,
          period: "mins",
          refresh: { expiry: 1, period: "days" },
          public: true,
        },
      ],
    },
  ],
};
