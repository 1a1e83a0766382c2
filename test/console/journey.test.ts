import { describe, expect, it } from "vitest";
import { createSessionServer, generateAccessKey, generateSecret, memoryStore } from "../../src/server/index.js";
import { MAX_EVENTS, readJourney } from "../../src/console/ui/journey.js";
import { testKeys } from "../server/helpers.js";
import { CONSOLE_PRODUCTS } from "./seed.js";

/**
 * The console's user view reads a journey in one paged read across every product, env and tag
 * (journey.ts), against the real endpoint: all of a short one, the newest MAX_EVENTS of a long one.
 */
const PLACES = [["shop", "prd", "web"], ["shop", "stg", "mobile"], ["backoffice", "prd", "staff"]] as const;
const T0 = Date.UTC(2026, 0, 1);

async function endpoint(events: number) {
  const secretKey = generateAccessKey("secret");
  const store = memoryStore();
  const server = createSessionServer({
    issuer: "http://127.0.0.1", keys: await testKeys(), secret: generateSecret(), store, products: CONSOLE_PRODUCTS,
    accessKeys: { secret: [secretKey], publishable: [generateAccessKey("publishable")] },
  });
  // Event i at T0 + i s, its place cycling through three products/envs/tags.
  for (let i = 0; i < events; i++) {
    const [product, env, tag] = PLACES[i % 3]!;
    await store.recordActivity({ product, env, tag, operation: "track", status: "success", startAt: T0 + i * 1000, endAt: T0 + i * 1000, message: `event ${i}`, sessionId: null, identifier: "ada@example.com", action: "view" });
  }
  const asked: URL[] = [];
  const api = {
    async get<T>(path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<T> {
      const url = new URL(path, "http://127.0.0.1");
      for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
      asked.push(url);
      const response = await server.fetch(new Request(url, { headers: { authorization: `Bearer ${secretKey}` } }));
      expect(response.status).toBe(200);
      return (await response.json()) as T;
    },
  };
  return { api, asked };
}

const numbers = (events: { message: string }[]) => events.map((e) => Number(e.message.slice("event ".length)));
const from = new Date(T0 - 1000).toISOString();

describe("readJourney", () => {
  it("reads a short journey whole, every place in one call", async () => {
    const { api, asked } = await endpoint(250);
    const events = await readJourney(api, "ada@example.com", from);
    expect(numbers(events)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(new Set(events.map((e) => `${e.product}/${e.env}/${e.tag}`)).size).toBe(3);
    expect(asked).toHaveLength(3);
    for (const url of asked) for (const name of ["product", "env", "tag"]) expect(url.searchParams.has(name)).toBe(false);
  });

  it("keeps the newest MAX_EVENTS of a long one, in at most 7 requests", async () => {
    const { api, asked } = await endpoint(1234);
    const events = await readJourney(api, "ada@example.com", from);
    expect(numbers(events)).toEqual(Array.from({ length: MAX_EVENTS }, (_, i) => 1234 - MAX_EVENTS + i));
    expect(asked.length).toBeLessThanOrEqual(7);
  });

  it("reads nothing more when there is nothing", async () => {
    const { api, asked } = await endpoint(0);
    expect(await readJourney(api, "ada@example.com", from)).toEqual([]);
    expect(asked).toHaveLength(1);
  });
});
