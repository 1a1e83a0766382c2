import type { ServerContext } from "./context.js";
import type { ActivityRecord } from "./stores/types.js";

/**
 * Appends one activity event, ending now. Recording is best effort: a failing activity write
 * is reported to onError but never fails the operation it describes.
 */
export async function recordActivity(server: ServerContext, event: Omit<ActivityRecord, "endAt">): Promise<void> {
  try {
    await server.store.recordActivity({ ...event, endAt: server.now() });
  } catch (error) {
    server.onError(error);
  }
}
