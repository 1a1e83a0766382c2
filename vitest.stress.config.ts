import { defineConfig } from "vitest/config";

/**
 * The load suite (issue 6 §5): `npm run test:stress`. Loopback only, bounded in count and time;
 * one worker so the figures are not shared with other files, and `--expose-gc` so the heap can
 * be measured after a collection.
 */
export default defineConfig({
  test: {
    name: "stress",
    environment: "node",
    include: ["test/stress/**/*.test.ts"],
    execArgv: ["--expose-gc"],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 60_000,
  },
});
