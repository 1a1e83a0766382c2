import { invalidArgument as invalid } from "../../shared/errors.js";

/** A required non-empty string field (at most `max` characters) of a body or query. */
export function requireString(source: Record<string, unknown>, field: string, max = 256): string {
  const value = source[field];
  if (value === undefined || value === null || value === "") throw invalid(field, "is required");
  if (typeof value !== "string") throw invalid(field, "must be a string");
  if (value.length > max) throw invalid(field, `must be at most ${max} characters`);
  if (!isWellFormed(value)) throw invalid(field, "must be well-formed Unicode (no lone surrogates)");
  return value;
}

/**
 * JSON escapes (`"\ud800"`) can carry lone surrogates past the UTF-8 check of the body; a
 * UTF-8 store (SQLite, Postgres) would then keep U+FFFD instead, and the value would no longer
 * match itself (issue 6: an identifier stored that way made its own session's token fail).
 * With the `u` flag a surrogate class only matches unpaired surrogates.
 */
export function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDFFF]/u.test(text);
}

export function optionalString(source: Record<string, unknown>, field: string, max = 256): string | undefined {
  return source[field] === undefined || source[field] === null ? undefined : requireString(source, field, max);
}

/** `page` (from 1) and `limit` (1-100, default 20) of a list query. */
export function readPaging(query: URLSearchParams): { page: number; limit: number; offset: number } {
  const page = readInt(query, "page", 1, 1, 1_000_000);
  const limit = readInt(query, "limit", 20, 1, 100);
  return { page, limit, offset: (page - 1) * limit };
}

function readInt(query: URLSearchParams, field: string, fallback: number, min: number, max: number): number {
  const raw = query.get(field);
  if (raw === null || raw === "") return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw invalid(field, "must be a whole number");
  const value = Number(raw);
  if (value < min || value > max) throw invalid(field, `must be between ${min} and ${max}`);
  return value;
}

/** An ISO 8601 date-time query parameter, as milliseconds. */
export function readTime(query: URLSearchParams, field: string): number | undefined {
  const raw = query.get(field);
  if (raw === null || raw === "") return undefined;
  const ms = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(ms)) throw invalid(field, "must be an ISO 8601 date-time");
  return ms;
}

/** The query parameters as a plain object (first value of each), for requireString. */
export function queryObject(query: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of query) if (!(key in out)) out[key] = value;
  return out;
}
