import { defineConfig } from "vitest/config";
import { playwright } from "@vitest/browser-playwright";

// Debian's Chromium, never a downloaded browser (TOOLCHAIN.md).
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/**/*.test.ts"],
          exclude: ["test/dom/**", "test/browser/**", "test/stress/**"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "dom",
          environment: "happy-dom",
          include: ["test/dom/**/*.test.ts"],
          setupFiles: ["fake-indexeddb/auto"],
        },
      },
      {
        test: {
          name: "chromium",
          include: ["test/browser/**/*.test.ts"],
          testTimeout: 30_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            instances: [{ browser: "chromium" }],
            provider: playwright({
              launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: chromiumArgs },
            }),
          },
        },
      },
    ],
  },
});
