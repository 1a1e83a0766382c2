// Behaviour of the bench helpers (no timing assertions: issue 5).
//   node --test bench/test/
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatTable, formatRatio, formatBytes } from "../lib/table.mjs";
import { parseArgs, MAX_DURATION_S } from "../lib/args.mjs";

test("formatTable pads columns, right-aligns numbers and prints missing cells as a dash", () => {
  const text = formatTable(["name", "bytes"], [["a", 5], ["longer", 12345], ["c", null]]);
  const lines = text.split("\n");
  assert.equal(lines[0], "name    bytes");
  assert.equal(lines[1], "------  -----");
  assert.equal(lines[2], "a           5");
  assert.equal(lines[3], "longer  12345");
  assert.equal(lines[4], "c           —");
});

test("formatTable --markdown marks numeric columns right-aligned", () => {
  const text = formatTable(["lib", "gz"], [["x", "1,024"]], { markdown: true });
  assert.deepEqual(text.split("\n"), ["| lib |    gz |", "|-----|------:|", "| x   | 1,024 |"]);
});

test("formatRatio and formatBytes", () => {
  assert.equal(formatRatio(300, 100), "3.00×");
  assert.equal(formatRatio(243, 10_000), "0.024×");
  assert.equal(formatRatio(300, null), null);
  assert.equal(formatRatio(300, 0), null);
  assert.equal(formatBytes(900), "900 B");
  assert.equal(formatBytes(2048), "2.00 KiB");
});

test("parseArgs clamps the duration to issue 5's 30 s and rejects nonsense", () => {
  const args = parseArgs(["--duration", "120", "--connections=4", "--only", "size, http"]);
  assert.equal(args.duration, MAX_DURATION_S);
  assert.equal(args.connections, 4);
  assert.deepEqual(args.only, ["size", "http"]);
  assert.match(args.notes[0], /clamped/);
  assert.throws(() => parseArgs(["--duration", "-1"]), /positive number/);
  assert.throws(() => parseArgs(["--fast"]), /unknown option/);
});

test("a column with no values at all stays left-aligned", () => {
  const text = formatTable(["lib", "note"], [["a", null], ["b", undefined]], { markdown: true });
  assert.equal(text.split("\n")[1], "|-----|------|");
});
