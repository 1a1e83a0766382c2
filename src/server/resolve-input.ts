import { invalidArgument, SessionError, useDocumentedStatuses } from "../shared/errors.js";
import { formatSessionPath, parseSessionPath, PLACEHOLDER_GLOBAL, readPath, splitSegments } from "../shared/placeholder.js";

useDocumentedStatuses();

/**
 * Fills `$Session{a}{b}` placeholders in `input` (nested objects and arrays) from a verified
 * session's data. A string that is exactly one placeholder takes the value with its type;
 * a placeholder inside a longer string is interpolated. A missing path is an
 * INVALID_ARGUMENT naming the placeholder and where it was found.
 */
export function resolveSessionInput<T>(input: T, sessionData: Record<string, unknown>): T {
  return walk(input, sessionData, "input", 0, { nodes: 0, chars: 0 }) as T;
}

/** Deeper input (or a cycle) is refused rather than overflowing the stack (issue 6). */
const MAX_DEPTH = 64;
/**
 * Object members and array items of the input, all levels together, and characters of the
 * strings it resolves to: each placeholder may copy up to a session's whole data (8 KB), so a
 * modest input could otherwise expand to hundreds of megabytes.
 */
const MAX_NODES = 10_000;
const MAX_CHARS = 1_048_576;

interface Budget {
  nodes: number;
  chars: number;
}

function walk(value: unknown, data: Record<string, unknown>, at: string, depth: number, budget: Budget): unknown {
  if (typeof value === "string") return spend(resolveString(value, data, at), budget);
  if (typeof value !== "object" || value === null) return value;
  if (depth >= MAX_DEPTH) throw invalidArgument(at, `nests deeper than ${MAX_DEPTH} levels (or is circular)`);
  const count = Array.isArray(value) ? value.length : Object.keys(value).length;
  if ((budget.nodes += count) > MAX_NODES) throw invalidArgument("input", `has more than ${MAX_NODES} members and items`);
  if (Array.isArray(value)) return value.map((item, i) => walk(item, data, `${at}[${i}]`, depth + 1, budget));
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    // defineProperty, not `out[key] =`: an own "__proto__" key (JSON.parse makes those) must stay
    // data, not become the result's prototype (issue 6, prototype injection).
    Object.defineProperty(out, key, { value: walk(child, data, `${at}.${key}`, depth + 1, budget), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function spend(resolved: unknown, budget: Budget): unknown {
  if (typeof resolved === "string" && (budget.chars += resolved.length) > MAX_CHARS) {
    throw invalidArgument("input", `resolves to more than ${MAX_CHARS} characters of text`);
  }
  return resolved;
}

function resolveString(text: string, data: Record<string, unknown>, at: string): unknown {
  if (!text.includes("$Session{")) return text;
  const whole = parseSessionPath(text);
  if (whole) return lookup(whole, data, at);
  return text.replace(PLACEHOLDER_GLOBAL, (_match, segments: string) => {
    const value = lookup(splitSegments(segments), data, at);
    return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
  });
}

function lookup(path: string[], data: Record<string, unknown>, at: string): unknown {
  const found = readPath(data, path);
  if (!found.found) {
    throw new SessionError("INVALID_ARGUMENT", `${formatSessionPath(path)} (at ${at}) is not in the session data`, { field: at });
  }
  return found.value;
}
