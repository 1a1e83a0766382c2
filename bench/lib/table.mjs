// One table printer for every bench part, so `npm run bench` reads as one report.
// Plain text with padded columns (readable in a terminal and pasteable into BENCHMARKS.md
// with `--markdown`); numbers are right-aligned, text left-aligned.

/**
 * @param {string[]} columns header labels
 * @param {Array<Array<string|number|null|undefined>>} rows cells; null/undefined print as "—"
 * @param {{ markdown?: boolean, align?: Array<"l"|"r"> }} [options]
 * @returns {string}
 */
export function formatTable(columns, rows, options = {}) {
  const cells = rows.map((row) => columns.map((_, i) => cellText(row[i])));
  const align = columns.map(
    (_, i) => options.align?.[i] ?? (numericColumn(rows.map((row) => row[i])) ? "r" : "l"),
  );
  const widths = columns.map((label, i) => Math.max(label.length, ...cells.map((row) => row[i].length)));
  const pad = (text, i) => (align[i] === "r" ? text.padStart(widths[i]) : text.padEnd(widths[i]));
  if (options.markdown) {
    const line = (row) => `| ${row.map(pad).join(" | ")} |`;
    const rule = `|${widths.map((w, i) => (align[i] === "r" ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|")}|`;
    return [line(columns), rule, ...cells.map(line)].join("\n");
  }
  const line = (row) => row.map(pad).join("  ").trimEnd();
  return [line(columns), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

/** Prints a titled table to stdout. */
export function printTable(title, columns, rows, options = {}) {
  const text = formatTable(columns, rows, options);
  console.log(title ? `\n${title}\n\n${text}\n` : `${text}\n`);
}

/** 12345 -> "12.06 KiB" (1024 bytes, as bundle reports usually count). */
export function formatBytes(bytes) {
  if (bytes == null) return null;
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(2)} KiB`;
}

/** A ratio with a times sign: two decimals, three below 0.1 (0.024× is not 0.02×); null when a side is missing. */
export function formatRatio(value, reference) {
  if (value == null || reference == null || reference === 0) return null;
  const ratio = value / reference;
  return `${ratio.toFixed(ratio < 0.1 ? 3 : 2)}×`;
}

/** Thousands separators for counts and rates (12,345). */
export function formatCount(value, digits = 0) {
  if (value == null) return null;
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function cellText(value) {
  if (value == null || value === "") return "—";
  return typeof value === "number" ? String(value) : value;
}

/** Right-align a column whose cells are all numbers (missing cells aside), and not an empty one. */
function numericColumn(values) {
  const present = values.filter((value) => value != null && value !== "");
  return present.length > 0 && present.every(isNumeric);
}

function isNumeric(value) {
  return typeof value === "number" || /^[\d.,]+(\s?(B|KiB|ms|×|req\/s))?$/.test(String(value));
}
