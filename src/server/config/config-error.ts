import { SessionError, useDocumentedStatuses } from "../../shared/errors.js";

// Every server module that can throw loads this one: the documented statuses are the default of
// the errors the server throws (the client, which names its own, leaves the table out).
useDocumentedStatuses();

/**
 * An option createSessionServer (or a store factory) refuses at creation (STYLE.md §7), naming
 * the option path (`products[0].sessions[1].expiry`, `accessKeys.secret[0]`). The message never
 * holds the value: options carry keys and secrets.
 */
export function configError(field: string, message: string): SessionError {
  return new SessionError("INVALID_CONFIG", message.startsWith(field) ? message : `${field}: ${message}`, { field });
}
