import type { Readable } from "node:stream";
import { Miniflare, type MiniflareOptions } from "miniflare";

/**
 * A Miniflare that is ready, or an error that quotes what workerd printed: when a Worker fails
 * at load (an `Uncaught ReferenceError` at module scope), Miniflare's own error only says "the
 * Workers runtime failed to start", and the cause would be lost in the test log.
 */
export async function startWorkerd(options: MiniflareOptions): Promise<Miniflare> {
  let stderr = "";
  const mf = new Miniflare({
    ...options,
    handleRuntimeStdio: (out: Readable, err: Readable) => {
      out.resume();
      err.on("data", (chunk: Buffer) => (stderr += chunk));
    },
  } as MiniflareOptions);
  try {
    await mf.ready;
  } catch (error) {
    await mf.dispose().catch(() => {});
    throw new Error(`workerd did not start: ${(error as Error).message}\n${stderr.trim()}`);
  }
  return mf;
}
