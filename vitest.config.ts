import { defineConfig } from "vitest/config";
import { playwright } from "@vitest/browser-playwright";
import SummaryReporter from "./test/support/summary-reporter.ts";
import { consoleUiVitePlugin } from "./scripts/console-ui.mjs";
import { chromiumArgs, chromiumPath, hasChromium } from "./test/support/chromium.ts";

// Tests that drive Debian's Chromium (vitest browser mode, or playwright-core from Node).
const chromiumTests = [
  "test/browser/**",
  "test/cli/demo-chromium.test.ts",
  "test/cli/cors-chromium.test.ts",
  "test/client/chromium-dpop.test.ts",
  "test/console/console-chromium.test.ts",
  "test/docs/html-blocks.test.ts",
  "test/client/chromium-pages.test.ts",
  "test/runtimes/browser/**",
  "test/security/chromium-storage.test.ts",
  "test/reliability/chromium-tabs.test.ts",
];
// Without Chromium a local run leaves those files out and says so at the end; in CI
// (.ci/run installs Chromium) a missing browser fails the run instead of hiding tests.
const withoutChromium = !hasChromium;
if (withoutChromium && process.env.CI) throw new Error(`Chromium is required in CI and is missing at ${chromiumPath}`);
const notes = withoutChromium
  ? [`Chromium not found at ${chromiumPath}: ${chromiumTests.length} groups of browser tests left out (${chromiumTests.join(", ")}). Install it: apt-get install chromium`]
  : [];

const chromiumProject = {
  test: {
    name: "chromium",
    include: ["test/browser/**/*.test.ts"],
    testTimeout: 30_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      instances: [{ browser: "chromium" as const }],
      provider: playwright({
        launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
      }),
    },
  },
};

// `tessera-console-ui:assets` and `tessera-demo-ui:assets`: the console and the demo page, bundled from their ui/ folders as tsup does.
const consoleUi = consoleUiVitePlugin(import.meta.dirname ?? process.cwd());

export default defineConfig({
  test: {
    reporters: ["default", new SummaryReporter(notes)],
    projects: [
      {
        plugins: [consoleUi],
        test: {
          name: "node",
          environment: "node",
          include: ["test/**/*.test.ts"],
          exclude: ["test/dom/**", "test/browser/**", "test/stress/**", ...(withoutChromium ? chromiumTests : [])],
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
      ...(withoutChromium ? [] : [chromiumProject]),
    ],
  },
});
