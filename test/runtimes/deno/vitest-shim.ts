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

export function describe(name: string, body: () => void): void {
  names.push(name);
  try {
    body();
  } finally {
    names.pop();
  }
}

export function it(name: string, body: () => unknown): void {
  Deno.test([...names, name].join(" > "), async () => void (await body()));
}
