import type { SessionError } from "../../shared/errors.js";
import { formatSessionPath, parseSessionPath } from "../../shared/placeholder.js";
import { TAG_PATTERN } from "../../shared/token-string.js";
import { configError } from "./config-error.js";
import { compileSchema, typeAtPath } from "./schema.js";
import { PERIODS, type ProductInput, type SessionConfig, type SessionConfigInput } from "./types.js";

/** Product tag -> session tag -> config. Envs are checked per request against `config.envs`. */
export type ProductTable = ReadonlyMap<string, { envs: ReadonlySet<string>; sessions: ReadonlyMap<string, SessionConfig> }>;

const DEFAULT_REFRESH = { amount: 30, period: "days" } as const;

/** Checks every product and session config; errors name the product, the tag and the field. */
export function checkProducts(products: unknown): ProductTable {
  if (!Array.isArray(products) || products.length === 0) {
    throw configError("products", "must be a non-empty array of products");
  }
  const table = new Map<string, { envs: ReadonlySet<string>; sessions: Map<string, SessionConfig> }>();
  products.forEach((input: ProductInput, index) => {
    const where = `products[${index}]`;
    if (typeof input !== "object" || input === null) throw configError(where, "must be an object");
    if (typeof input.tag !== "string" || !TAG_PATTERN.test(input.tag)) {
      throw configError(`${where}.tag`, "must be 1-64 letters, digits, '.', '_' or '-'");
    }
    const at = `product "${input.tag}"`;
    if (table.has(input.tag)) throw configError(`${where}.tag`, `${at} is defined twice`);
    if (!Array.isArray(input.envs) || input.envs.length === 0) throw configError(`${where}.envs`, `${at}: envs must be a non-empty array`);
    for (const env of input.envs) {
      if (typeof env !== "string" || !TAG_PATTERN.test(env)) throw configError(`${where}.envs`, `${at}: env ${JSON.stringify(env)} is not a valid name`);
    }
    const envs = new Set(input.envs);
    if (envs.size !== input.envs.length) throw configError(`${where}.envs`, `${at}: an env is listed twice`);
    if (!Array.isArray(input.sessions) || input.sessions.length === 0) {
      throw configError(`${where}.sessions`, `${at}: sessions must be a non-empty array`);
    }
    const sessions = new Map<string, SessionConfig>();
    input.sessions.forEach((session, i) => {
      const config = checkSession(input.tag, envs, session, `${where}.sessions[${i}]`);
      if (sessions.has(config.tag)) throw configError(`${where}.sessions[${i}].tag`, `${at}: session tag "${config.tag}" is defined twice`);
      sessions.set(config.tag, config);
    });
    table.set(input.tag, { envs, sessions });
  });
  return table;
}

function checkSession(product: string, envs: ReadonlySet<string>, input: SessionConfigInput, where: string): SessionConfig {
  if (typeof input !== "object" || input === null) throw configError(where, `product "${product}": session config must be an object`);
  if (typeof input.tag !== "string" || !TAG_PATTERN.test(input.tag)) {
    throw configError(`${where}.tag`, `product "${product}": session tag must be 1-64 letters, digits, '.', '_' or '-'`);
  }
  const at = `product "${product}", session "${input.tag}"`;
  const problem = (field: string, message: string) => configError(`${where}.${field}`, `${at}: ${field} ${message}`);

  const { validate, typeMap } = compileSchema(input.schema, problem);
  if (typeof input.selector !== "string") throw problem("selector", "is required, e.g. $Session{userId}");
  const selector = parseSessionPath(input.selector);
  if (!selector) throw problem("selector", `"${input.selector}" is not of the form $Session{field}{subfield}`);
  if (typeMap) {
    const type = typeAtPath(typeMap, selector);
    if (type === null) throw problem("selector", `${formatSessionPath(selector)} is not a field of the schema`);
    if (typeof type !== "string") throw problem("selector", `${formatSessionPath(selector)} is an object, not a string, number or boolean`);
    if (type.endsWith("?")) throw problem("selector", `${formatSessionPath(selector)} is optional; the identifier must always be present`);
  }
  const expiry = checkLifetime(input.expiry, input.period, "expiry", "period", problem);
  const refresh = input.refresh === undefined ? DEFAULT_REFRESH : checkLifetime(input.refresh?.expiry, input.refresh?.period, "refresh.expiry", "refresh.period", problem);
  const maxLifetime =
    input.maxLifetime === undefined ? null : checkLifetime(input.maxLifetime?.expiry, input.maxLifetime?.period, "maxLifetime.expiry", "maxLifetime.period", problem);
  for (const flag of ["public", "exposeData"] as const) {
    if (input[flag] !== undefined && typeof input[flag] !== "boolean") throw problem(flag, "must be a boolean");
  }
  if (input.binding !== undefined && input.binding !== "dpop") throw problem("binding", 'must be "dpop" or absent');
  for (const field of ["name", "description"] as const) {
    if (input[field] !== undefined && typeof input[field] !== "string") throw problem(field, "must be a string");
  }
  return {
    product,
    tag: input.tag,
    name: input.name ?? input.tag,
    description: input.description ?? "",
    envs,
    validate,
    selector,
    expiry,
    refresh,
    maxLifetime,
    public: input.public === true,
    binding: input.binding ?? null,
    exposeData: input.exposeData === true,
  };
}

function checkLifetime(
  amount: unknown,
  period: unknown,
  amountField: string,
  periodField: string,
  problem: (field: string, message: string) => SessionError,
) {
  if (typeof amount !== "number" || !Number.isInteger(amount) || amount <= 0) throw problem(amountField, "must be a positive integer");
  if (typeof period !== "string" || !(PERIODS as readonly string[]).includes(period)) {
    throw problem(periodField, `${JSON.stringify(period)} is not one of ${PERIODS.join(", ")}`);
  }
  return { amount, period: period as SessionConfig["expiry"]["period"] };
}
