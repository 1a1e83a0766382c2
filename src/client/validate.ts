/**
 * Argument checks that run before any request (issue 2, Behaviour 1). Each failure is an
 * INVALID_ARGUMENT naming the field; values are never echoed, since a field may hold a token.
 */

import type { SessionData } from "../shared/protocol.js";
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
    throw invalid(field, "must be 1-64 of A-Z a-z 0-9 . _ -");
  }
  return value;
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
