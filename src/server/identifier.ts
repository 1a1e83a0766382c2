import { invalidArgument } from "../shared/errors.js";
import { readPath } from "../shared/placeholder.js";
import { isWellFormed } from "./http/fields.js";
import type { SessionConfig } from "./config/types.js";

/** The session's identifier: the primitive at the config's selector, as a string. */
export function identifierOf(config: SessionConfig, data: Record<string, unknown>): string {
  const field = `data.${config.selector.join(".")}`;
  const found = readPath(data, config.selector);
  if (!found.found) throw invalidArgument(field, "is required: it identifies the session");
  const value = found.value;
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    throw invalidArgument(field, "must be a string, number or boolean: it identifies the session");
  }
  const identifier = String(value);
  if (identifier.length === 0 || identifier.length > 256) {
    throw invalidArgument(field, "must be 1-256 characters long");
  }
  // It is stored in a UTF-8 column and must come back equal to the token's `sub` (fields.ts).
  if (!isWellFormed(identifier)) throw invalidArgument(field, "must be well-formed Unicode");
  return identifier;
}
