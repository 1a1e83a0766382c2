import { describe, expect, it } from "vitest";
import { type ProductInput, createSessionServer, generateAccessKey, generateSecret, generateSigningKey, keysFromEnv, memoryStore } from "../../src/server/index.ts";
import { isSessionError } from "../../src/shared/errors.ts";

async function env() {
  return {
    TESSERA_SIGNING_KEYS: JSON.stringify([await generateSigningKey(), await generateSigningKey("EdDSA")]),
    TESSERA_SECRET: generateSecret(),
    TESSERA_SECRET_KEYS: `${generateAccessKey("secret")}, ${generateAccessKey("secret")}`,
    TESSERA_PUBLISHABLE_KEYS: generateAccessKey("publishable"),
  };
}

const products: ProductInput[] = [{ tag: "p", envs: ["e"], sessions: [{ tag: "t", schema: { id: "string" }, selector: "$Session{id}", expiry: 1, period: "mins" }] }];

describe("keysFromEnv", () => {
  it("reads the four variables into createSessionServer's options", async () => {
    const vars = await env();
    const keys = keysFromEnv(vars);
    expect(keys.keys).toHaveLength(2);
    expect(keys.accessKeys.secret).toHaveLength(2);
    expect(keys.accessKeys.publishable).toEqual([vars.TESSERA_PUBLISHABLE_KEYS]);
    const server = createSessionServer({ issuer: "http://x", store: memoryStore(), products, ...keys });
    const res = await server.fetch(new Request("http://x/v1/sessions/start", {
      method: "POST",
      headers: { authorization: `Bearer ${keys.accessKeys.secret[1]}`, "content-type": "application/json" },
      body: JSON.stringify({ product: "p", env: "e", tag: "t", data: { id: "u" } }),
    }));
    expect(res.status).toBe(201);
  });

  it.each([
    ["TESSERA_SIGNING_KEYS", undefined, /TESSERA_SIGNING_KEYS: is not set/],
    ["TESSERA_SIGNING_KEYS", "undefined", /TESSERA_SIGNING_KEYS: is not valid JSON/],
    ["TESSERA_SIGNING_KEYS", "[]", /TESSERA_SIGNING_KEYS: must be a JSON array/],
    ["TESSERA_SECRET", "", /TESSERA_SECRET: is not set/],
    ["TESSERA_SECRET_KEYS", undefined, /TESSERA_SECRET_KEYS: is not set/],
  ])("%s = %s is an INVALID_CONFIG naming the variable", async (name, value, message) => {
    const vars: Record<string, string | undefined> = { ...(await env()), [name]: value };
    let caught: unknown;
    try {
      keysFromEnv(vars);
    } catch (error) {
      caught = error;
    }
    expect(isSessionError(caught) && caught.code).toBe("INVALID_CONFIG");
    expect((caught as Error).message).toMatch(message);
    if (vars.TESSERA_SECRET) expect((caught as Error).message).not.toContain(vars.TESSERA_SECRET);
  });

  it("leaves checking each key to createSessionServer, which names its position", async () => {
    const vars = { ...(await env()), TESSERA_SIGNING_KEYS: JSON.stringify([{ kty: "EC" }]) };
    expect(() => createSessionServer({ issuer: "http://x", store: memoryStore(), products, ...keysFromEnv(vars) })).toThrow(/keys\[0\]/);
  });
});
