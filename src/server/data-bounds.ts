import { invalidArgument } from "../shared/errors.js";

export interface JsonBounds {
  /** Levels of objects and arrays. */
  depth: number;
  /** Object members and array items, all levels together. */
  nodes: number;
  /** UTF-8 bytes of the JSON text. */
  bytes: number;
}

/**
 * Bounds of `data` where it enters (start, track). JSON.stringify and JSON.parse recurse: at
 * ~4,100 levels a value still serialised on the way in but overflowed the stack when read back,
 * and at ~5,000 it failed at once (a 500); one guest could so make a user's activity timeline
 * answer 500 until the purge. A value inside these bounds always round-trips.
 */
export const DATA_BOUNDS: JsonBounds = { depth: 32, nodes: 1_000, bytes: 8_192 };

const encoder = new TextEncoder();

/**
 * The JSON text of `value`, or INVALID_ARGUMENT naming `field` when it is deeper, larger or has
 * more members than `bounds`, or holds something JSON cannot carry (undefined, a function, a
 * bigint, NaN, a Date or Map from a Standard Schema's output). The walk stops at the depth
 * bound, so it cannot overflow itself; a cycle is reported as too deep.
 */
export function boundedJson(value: unknown, field: string, bounds: JsonBounds = DATA_BOUNDS): string {
  let nodes = 0;
  const walk = (node: unknown, at: string, depth: number): void => {
    // undefined members are dropped by JSON (a Standard Schema may leave optional ones so).
    if (node === null || node === undefined || typeof node === "string" || typeof node === "boolean") return;
    if (typeof node === "number") {
      if (!Number.isFinite(node)) throw invalidArgument(at, "must be a finite number (JSON has no NaN or Infinity)");
      return;
    }
    if (typeof node !== "object") throw invalidArgument(at, `is a ${typeof node}, which JSON cannot carry`);
    if (depth >= bounds.depth) throw invalidArgument(field, `nests deeper than ${bounds.depth} levels`);
    const isArray = Array.isArray(node);
    const proto = Object.getPrototypeOf(node);
    if (!isArray && proto !== Object.prototype && proto !== null) throw invalidArgument(at, "must be plain JSON (an object, array, string, number, boolean or null)");
    const entries: [string, unknown][] = isArray ? (node as unknown[]).map((v, i) => [String(i), v]) : Object.entries(node);
    nodes += entries.length;
    if (nodes > bounds.nodes) throw invalidArgument(field, `has more than ${bounds.nodes} members and items`);
    for (const [key, child] of entries) walk(child, isArray ? `${at}[${key}]` : `${at}.${key}`, depth + 1);
  };
  walk(value, field, 0);
  const text = JSON.stringify(value);
  // Length first: a UTF-8 byte is at least one UTF-16 unit, so a longer text is over anyway.
  if (text.length > bounds.bytes || encoder.encode(text).length > bounds.bytes) {
    throw invalidArgument(field, `is larger than ${bounds.bytes} bytes as JSON`);
  }
  return text;
}
