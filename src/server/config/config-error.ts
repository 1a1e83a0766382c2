import { SessionError } from "../../shared/errors.js";

/**
 * An option createSessionServer (or a store factory) refuses at creation (STYLE.md §7), naming
 * the option path (`products[0].sessions[1].expiry`, `accessKeys.secret[0]`). The message never
 * holds the value: options carry keys and secrets.
 */
export function configError(field: string, message: string): SessionError {
  return new SessionError("INVALID_CONFIG", message.startsWith(field) ? message : `${field}: ${message}`, { field });
}
