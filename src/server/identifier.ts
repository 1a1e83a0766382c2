import { invalidArgument } from "../shared/errors.js";
import { readPath } from "../shared/placeholder.js";
import { isWellFormed } from "./http/fields.js";
import type { SessionConfig } from "./config/types.js";

/**
 * Identifiers of guest sessions (`public: true`) start with this, and no other identifier may:
 * anyone with the publishable key can start a guest session naming any identifier, and would
 * otherwise write into a real user's timeline and user record.
 */
export const GUEST_PREFIX = "guest:";

/**
 * The session's identifier: the primitive at the config's selector, as a string; for a
 * public (guest) config, prefixed with `guest:`.
 */
export function identifierOf(config: SessionConfig, data: Record<string, unknown>): string {
  const field = `data.${config.selector.join(".")}`;
  const found = readPath(data, config.selector);
  if (!found.found) throw invalidArgument(field, "is required: it identifies the session");
  const value = found.value;
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    throw invalidArgument(field, "must be a string, number or boolean: it identifies the session");
  }
  const raw = String(value);
  if (!config.public && raw.startsWith(GUEST_PREFIX)) {
    throw invalidArgument(field, `must not start with "${GUEST_PREFIX}": that prefix is kept for guest sessions`);
  }
  const identifier = config.public ? GUEST_PREFIX + raw : raw;
  if (raw.length === 0 || identifier.length > 256) {
    throw invalidArgument(field, `must be 1-${config.public ? 256 - GUEST_PREFIX.length : 256} characters long`);
  }
  // It is stored in a UTF-8 column and must come back equal to the token's `sub` (fields.ts).
  if (!isWellFormed(identifier)) throw invalidArgument(field, "must be well-formed Unicode");
  return identifier;
}
