import { SessionError } from "../../src/index.js";

/**
 * The SessionError that `run` (a promise, or a function that throws or rejects) ends with;
 * any other error fails the test as it is, and no error at all fails it too.
 */
export async function rejection(run: Promise<unknown> | (() => unknown)): Promise<SessionError> {
  try {
    await (typeof run === "function" ? run() : run);
  } catch (error) {
    if (error instanceof SessionError) return error;
    throw error;
  }
  throw new Error("expected a SessionError");
}
