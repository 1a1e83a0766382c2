import type { Reporter, TestModule } from "vitest/node";

/**
 * Ends the run with one plain line, `tests: N passed, N failed, N skipped`, and names every
 * skipped test with its reason (`skip` notes), so a skip is never silent.
 */
export default class SummaryReporter implements Reporter {
  constructor(private readonly notes: string[] = []) {}

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const skipped: string[] = [];
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed" || state === "failed") counts[state]++;
        else {
          counts.skipped++;
          const result = test.result();
          const note = result.state === "skipped" ? result.note : undefined;
          skipped.push(`  - ${module.moduleId.replace(process.cwd() + "/", "")} > ${test.fullName}${note ? `: ${note}` : ""}`);
        }
      }
    }
    const lines = ["", ...this.notes.map((note) => `note: ${note}`)];
    if (skipped.length > 0) lines.push(`skipped tests (${skipped.length}):`, ...skipped);
    lines.push(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
    console.log(lines.join("\n"));
  }
}
