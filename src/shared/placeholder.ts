/**
 * `$Session{a}{b}` paths: the selector of a session config and the placeholders that
 * resolveSessionInput fills from a verified session's data.
 */
const SEGMENT = "\\{([^{}$]+)\\}";
const WHOLE = new RegExp(`^\\$Session((?:${SEGMENT})+)$`);
/** Matches every placeholder inside a longer string. */
export const PLACEHOLDER_GLOBAL = new RegExp(`\\$Session((?:${SEGMENT})+)`, "g");

/** `"$Session{details}{email}"` -> `["details", "email"]`; null when not exactly one placeholder. */
export function parseSessionPath(text: string): string[] | null {
  const match = WHOLE.exec(text);
  return match ? splitSegments(match[1]!) : null;
}

export function splitSegments(segments: string): string[] {
  return [...segments.matchAll(new RegExp(SEGMENT, "g"))].map((m) => m[1]!);
}

/** Walks `path` into `value`; `{ found: false }` when a step is missing or not an object. */
export function readPath(value: unknown, path: readonly string[]): { found: true; value: unknown } | { found: false } {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null || Array.isArray(current)) return { found: false };
    if (!Object.prototype.hasOwnProperty.call(current, key)) return { found: false };
    current = (current as Record<string, unknown>)[key];
  }
  return current === undefined ? { found: false } : { found: true, value: current };
}

export function formatSessionPath(path: readonly string[]): string {
  return `$Session${path.map((p) => `{${p}}`).join("")}`;
}
