/// <reference lib="deno.ns" />
/**
 * Lets the vitest-based conformance suites (test/server/store-suite.ts,
 * test/storage/storage-suite.ts) run unchanged under `deno test`: import_map.json maps
 * "vitest" here. `describe` only names, `it` becomes a Deno.test, and `expect` is vitest's
 * own matchers (@vitest/expect on chai, both from ./node_modules, so offline).
 */
import * as chai from "chai";
import { JestAsymmetricMatchers, JestChaiExpect, JestExtend } from "@vitest/expect";

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

// deno-lint-ignore no-explicit-any
export const expect: (actual: unknown) => any = (actual) => chai.expect(actual);

const names: string[] = [];
/**
 * Cases known to fail in this runtime, by full name, with the reason: they must still fail
 * (so the list is kept honest and shrinks when the cause is fixed).
 */
export const knownFailures = new Map<string, RegExp>();

export function describe(name: string, body: () => void): void {
  names.push(name);
  try {
    body();
  } finally {
    names.pop();
  }
}

export function it(name: string, body: () => unknown): void {
  const full = [...names, name].join(" > ");
  const expected = knownFailures.get(full);
  if (!expected) {
    Deno.test(full, async () => void (await body()));
    return;
  }
  Deno.test(`${full} (known failure: ${expected.source})`, async () => {
    let error: unknown;
    try {
      await body();
    } catch (e) {
      error = e;
    }
    if (!error) throw new Error(`"${full}" passes now: remove it from knownFailures`);
    if (!expected.test(String((error as Error).message))) throw error;
  });
}
