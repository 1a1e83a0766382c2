import { createSessionServer, generateAccessKey, generateSecret, memoryStore, type SessionServerOptions } from "../../src/server/index.js";
import { testKeys } from "../server/helpers.js";

/** Products shaped like a real deployment: a shop with web and mobile sessions, staff, partners. */
export const CONSOLE_PRODUCTS: SessionServerOptions["products"] = [
  {
    tag: "shop",
    envs: ["prd", "stg"],
    sessions: [
      { tag: "web", name: "Web shop", schema: { userId: "string", plan: "string?" }, selector: "$Session{userId}", expiry: 15, period: "mins", refresh: { expiry: 30, period: "days" } },
      { tag: "mobile", name: "Mobile app", schema: { userId: "string" }, selector: "$Session{userId}", expiry: 15, period: "mins", refresh: { expiry: 30, period: "days" } },
    ],
  },
  {
    tag: "backoffice",
    envs: ["prd"],
    sessions: [{ tag: "staff", name: "Staff", schema: { userId: "string" }, selector: "$Session{userId}", expiry: 15, period: "mins", refresh: { expiry: 30, period: "days" } }],
  },
];

/** Seen under the shop's web and mobile tags (seededServer). */
export const TWO_TAGS = "twice.tagged@example.com";

const MIN = 60_000;
const DAY = 86_400_000;
const ACTIONS = ["view_product", "search", "add_to_cart", "checkout", "update_profile"];

/** A small deterministic PRNG (mulberry32), so every run seeds the same story. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeededServer {
  server: ReturnType<typeof createSessionServer>;
  secretKey: string;
  publishableKey: string;
  clock: { now: number | null };
  identifiers: string[];
}

/**
 * An endpoint holding a week of activity: `users` people across the shop's web and mobile
 * tags and the back office, with refreshes, verifications, tracked actions, expired tokens,
 * revocations and a few refresh-token reuses. The clock then returns to real time.
 */
export async function seededServer(users = 300): Promise<SeededServer> {
  const secretKey = generateAccessKey("secret");
  const publishableKey = generateAccessKey("publishable");
  const clock: { now: number | null } = { now: null };
  const server = createSessionServer({
    issuer: "http://127.0.0.1",
    keys: await testKeys(),
    secret: generateSecret(),
    store: memoryStore(),
    products: CONSOLE_PRODUCTS,
    accessKeys: { secret: [secretKey], publishable: [publishableKey] },
    now: () => clock.now ?? Date.now(),
  });
  const call = async (path: string, body: object, auth = `Bearer ${secretKey}`) => {
    const response = await server.fetch(new Request(`http://127.0.0.1${path}`, { method: "POST", headers: { authorization: auth, "content-type": "application/json" }, body: JSON.stringify(body) }));
    return (await response.json()) as Record<string, string>;
  };
  const rand = random(12);
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)]!;
  const end = Date.now();
  const identifiers: string[] = [];
  const names = ["ada", "grace", "linus", "margaret", "alan", "barbara", "ken", "radia", "edsger", "frances", "donald", "leslie", "tim", "guido", "anita", "john"];
  for (let i = 0; i < users; i++) {
    const identifier = i % 7 === 0 ? `staff-${String(i).padStart(3, "0")}@example.com` : `${pick(names)}.${String(i).padStart(3, "0")}@example.com`;
    identifiers.push(identifier);
    const [product, tag] = i % 7 === 0 ? ["backoffice", "staff"] : rand() < 0.65 ? ["shop", "web"] : ["shop", "mobile"];
    const env = product === "shop" && rand() < 0.15 ? "stg" : "prd";
    const scope = { product, env, tag };
    // More recent users are more common: a week, weighted towards today.
    clock.now = end - Math.floor(rand() ** 2 * 7 * DAY) - 3 * 60 * MIN;
    const sessions = 1 + Math.floor(rand() * 2.2);
    // Every story ends before now: a session starts only with 2 hours of room left.
    for (let s = 0; s < sessions && clock.now < end - 2 * 60 * MIN; s++) {
      let pair = await call("/v1/sessions/start", { ...scope, data: { userId: identifier } });
      const first = pair;
      const steps = 1 + Math.floor(rand() * 5);
      for (let k = 0; k < steps; k++) {
        clock.now += Math.floor(2 * MIN + rand() * 10 * MIN);
        await call("/v1/sessions/verify", { ...scope, token: pair.token });
        if (rand() < 0.5) await call("/v1/sessions/track", { action: pick(ACTIONS) }, `Session ${pair.token}`);
        if (rand() < 0.6) pair = await call("/v1/sessions/refresh", { ...scope, refreshToken: pair.refreshToken });
      }
      const r = rand();
      if (r < 0.12) {
        // An expired token presented again.
        clock.now += 20 * MIN;
        await call("/v1/sessions/verify", { ...scope, token: pair.token });
      } else if (r < 0.16 && first.refreshToken !== pair.refreshToken) {
        // A rotated refresh token comes back: reuse, the session is revoked.
        clock.now += 5 * MIN;
        await call("/v1/sessions/refresh", { ...scope, refreshToken: first.refreshToken });
      } else if (r < 0.26) {
        await call("/v1/sessions/revoke", { ...scope, sessionId: pair.sessionId });
      }
      clock.now += Math.floor(rand() * 6 * 60 * MIN);
    }
  }
  // One user under both of the shop's tags: the Users view lists them once across tags (three
  // days ago, so the most recent users, whose journeys the screenshots show, stay the same).
  clock.now = end - 3 * DAY;
  await call("/v1/sessions/start", { product: "shop", env: "prd", tag: "web", data: { userId: TWO_TAGS } });
  clock.now += 10 * MIN;
  await call("/v1/sessions/start", { product: "shop", env: "prd", tag: "mobile", data: { userId: TWO_TAGS } });
  identifiers.push(TWO_TAGS);
  clock.now = null;
  return { server, secretKey, publishableKey, clock, identifiers };
}
