/**
 * Session and refresh tokens travel as `"<tag>:<rest>"` (the reference product's format).
 * Tags never contain ":" (config checks that) and neither JWS nor base64url do, so the
 * first colon splits them.
 */
export interface TaggedToken {
  tag: string;
  value: string;
}

/** Tags, product tags and env names: letters, digits, `.`, `_`, `-`; at most 64 characters. */
export const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function parseTaggedToken(token: unknown): TaggedToken | null {
  if (typeof token !== "string" || token.length > 16_384) return null;
  const colon = token.indexOf(":");
  if (colon <= 0) return null;
  const tag = token.slice(0, colon);
  const value = token.slice(colon + 1);
  if (!TAG_PATTERN.test(tag) || value.length === 0) return null;
  return { tag, value };
}

export function formatTaggedToken(tag: string, value: string): string {
  return `${tag}:${value}`;
}
