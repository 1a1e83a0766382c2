import type { SessionData } from "../shared/protocol.js";
import { SessionError } from "../shared/errors.js";
import { TAG_PATTERN } from "../shared/token-string.js";

/**
 * Argument checks that run before any request (issue 2, Behaviour 1). Each failure is an
 * INVALID_ARGUMENT naming the field; values are never echoed, since a field may hold a token.
 */
export const invalid = (field: string, problem: string): SessionError =>
  new SessionError("INVALID_ARGUMENT", `${field} ${problem}`, { field });

/** Tokens, ids, identifiers: any non-empty string. */
export function requireString(value: unknown, field: string): string {
  if (typeof value !== "string" || !value.trim()) throw invalid(field, value == null ? "is required" : "must be a non-empty string");
  return value;
}

export const optionalString = (value: unknown, field: string): string | undefined =>
  value === undefined ? value : requireString(value, field);

/** product, env and tag: the server's name rule (letters, digits, `.`, `_`, `-`; no ":"). */
export function requireName(value: unknown, field: string): string {
  if (!TAG_PATTERN.test(requireString(value, field))) throw invalid(field, "must be 1-64 letters, digits, '.', '_' or '-'");
  return value as string;
}

export function optionalPositiveInteger(value: unknown, field: string): number | undefined {
  if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) > 0)) throw invalid(field, "must be a positive integer");
  return value as number | undefined;
}

export function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw invalid(field, "must be a plain object");
  return value;
}

/** `data` must survive JSON unchanged: no undefined, functions, bigint, NaN, Dates, Maps or cycles. */
export function checkData(value: unknown): SessionData {
  if (!isPlainObject(value)) throw invalid("data", value == null ? "is required" : "must be a plain JSON object");
  checkJson(value, "data", new Set());
  return value as SessionData;
}

function checkJson(value: unknown, path: string, ancestors: Set<unknown>): void {
  const type = typeof value;
  if (type === "string" || type === "boolean" || value === null) return;
  if (type === "number") {
    if (!Number.isFinite(value)) throw invalid(path, "must be a finite number");
    return;
  }
  if (ancestors.has(value)) throw invalid(path, "is a circular reference");
  // Bounded depth: hostile input must not overflow the stack.
  if (ancestors.size > 32) throw invalid(path, "is nested too deeply");
  ancestors.add(value);
  if (Array.isArray(value)) value.forEach((item, i) => checkJson(item, `${path}[${i}]`, ancestors));
  else if (isPlainObject(value)) for (const key in value) checkJson(value[key], `${path}.${key}`, ancestors);
  else throw invalid(path, "is not JSON (a plain object, array, string, finite number, boolean or null)");
  ancestors.delete(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  // Any realm's Object.prototype (iframes, test environments) has a null prototype itself.
  const proto = typeof value === "object" && value !== null && Object.getPrototypeOf(value);
  return proto === null || (!!proto && !Array.isArray(value) && Object.getPrototypeOf(proto) === null);
}
