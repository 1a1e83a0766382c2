// `npm run bench`: every part of issue 5 in order, then one summary table. Each part is a
// module exporting an async function that returns { title, columns, rows, summary, ok };
// a part that cannot run yet (tessera not written, no Chromium...) reports a note instead.
// Exit code is non-zero only when nothing could be measured at all.
//   node bench/run.mjs [--duration 10] [--connections 10] [--only size,throughput,primitives,http,httppath,client,coldstart] [--markdown]
import { parseArgs } from "./lib/args.mjs";
import { printTable } from "./lib/table.mjs";

/** Parts in issue 5's order. */
const PARTS = [
  { id: "size", module: "./size.mjs", run: "sizeBench" },
  { id: "throughput", module: "./throughput.mjs", run: "throughputBench" },
  { id: "primitives", module: "./primitives.mjs", run: "primitivesBench" },
  { id: "http", module: "./http.mjs", run: "httpBench" },
  { id: "httppath", module: "./http-path.mjs", run: "httpPathBench" },
  { id: "client", module: "./client.mjs", run: "clientBench" },
  { id: "coldstart", module: "./cold-start.mjs", run: "coldStartBench" },
];

let args;
try {
  args = parseArgs(process.argv.slice(2));
} catch (error) {
  console.error(error.message);
  process.exit(2);
}
for (const note of args.notes) console.error(note);

const summary = [];
let measuredAnything = false;
for (const part of PARTS) {
  if (args.only && !args.only.includes(part.id)) continue;
  try {
    const module = await import(part.module);
    const report = await module[part.run](args);
    printTable(report.title, report.columns, report.rows, { markdown: args.markdown });
    measuredAnything ||= report.ok;
    for (const row of report.summary) summary.push([part.id, row.case, row.result, row.ratio, row.note]);
  } catch (error) {
    summary.push([part.id, "(all)", null, null, `could not run: ${String(error?.message ?? error).split("\n")[0]}`]);
  }
}

printTable(`tessera bench, ${new Date().toISOString()}, node ${process.version}`, ["part", "case", "result", "ratio", "note"], summary, {
  markdown: args.markdown,
  align: ["l", "l", "l", "l", "l"],
});
if (!measuredAnything) {
  console.error("bench: nothing could be measured");
  process.exitCode = 1;
}
