/**
 * Argument checks that run before any request (issue 2, Behaviour 1). Each failure is an
 * INVALID_ARGUMENT naming the field; values are never echoed, since a field may hold a token.
 */

import type { SessionData, SessionScope } from "../shared/protocol.js";
import { invalidArgument as invalid } from "../shared/errors.js";
import { TAG_PATTERN } from "../shared/token-string.js";

/** product, env and tag follow the server's name rule (letters, digits, `.`, `_`, `-`; no ":"). */
const NAMES = ["product", "env", "tag"];

/**
 * Checks one field by `kind`: "" a non-empty string, "?" the same or absent, "#" a positive
 * integer or absent. Returns the value.
 */
export function check(value: unknown, field: string, kind = ""): any {
  if (value === undefined && kind) return value;
  if (kind === "#") {
    if (!(Number.isSafeInteger(value) && (value as number) > 0)) throw invalid(field, "must be a positive integer");
  } else if (typeof value !== "string" || !value.trim()) {
    throw invalid(field, "must be a non-empty string");
  } else if (NAMES.includes(field) && !TAG_PATTERN.test(value)) {
    throw invalid(field, "must be 1-64 of A-Za-z0-9._-");
  }
  return value;
}

/**
 * Arguments of a call: product, env (the client's defaults unless given; required unless
 * `fields` lists them as `product?`, `env?`) and `fields`, each `name` a required string,
 * `name?` optional, `name#` a positive integer or absent.
 */
export const argsWith = (defaults: Record<string, unknown>) => (args: unknown, ...fields: string[]) => {
  const input = requireObject(args, "arguments");
  const out = {} as SessionScope & Record<string, unknown>;
  for (const spec of [...["product", "env"].filter((name) => !fields.includes(name + "?")), ...fields]) {
    const name = spec.replace(/\W$/, "");
    // Only an absent field takes the default: null is refused like any other non-string.
    out[name] = check(input[name] === undefined ? defaults[name] : input[name], name, spec.slice(name.length));
  }
  return out;
};

/** A Date or an ISO 8601 string, as ISO 8601; absent stays absent. */
export function checkTime(value: unknown, field: string): string | undefined {
  if (value === undefined) return value;
  // A string must at least start as an ISO date: Date also parses "March 7" and "1".
  const time = new Date(value instanceof Date || /^\d{4}-\d\d-\d\d/.test(value as string) ? (value as Date) : NaN);
  if (isNaN(+time)) throw invalid(field, "is not an ISO 8601 time");
  return time.toISOString();
}

export function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw invalid(field, "must be a plain object");
  return value;
}

/** `data` must survive JSON unchanged: no undefined, functions, bigint, NaN, Dates, Maps or cycles. */
export const checkData = (value: unknown): SessionData => (checkJson(requireObject(value, "data"), "data", new Set()), value as SessionData);

function checkJson(value: unknown, path: string, ancestors: Set<unknown>): void {
  if (value === null || typeof value === "string" || typeof value === "boolean" || Number.isFinite(value)) return;
  const problem = ancestors.has(value)
    ? "is circular"
    : // Bounded depth: hostile input must not overflow the stack.
      ancestors.size > 32
      ? "is too deep"
      : !Array.isArray(value) && !isPlainObject(value) && "is not JSON";
  if (problem) throw invalid(path, problem);
  ancestors.add(value);
  for (const [key, item] of Object.entries(value as object)) checkJson(item, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, ancestors);
  ancestors.delete(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  // Any realm's Object.prototype (iframes, test environments) has a null prototype itself.
  const proto = typeof value === "object" && value !== null && Object.getPrototypeOf(value);
  return proto === null || (!!proto && !Array.isArray(value) && Object.getPrototypeOf(proto) === null);
}
