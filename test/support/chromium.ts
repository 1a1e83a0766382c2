import { existsSync } from "node:fs";

/** Debian's Chromium, never a downloaded browser (TOOLCHAIN.md). */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(chromiumPath);

// Without the networking flags Chromium floods the closed network with connection attempts.
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Headless Chromium through playwright-core, for tests that serve their own pages. */
export async function launchChromium() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
}
