// CPU time of another process (all its threads), from /proc/<pid>/stat (Linux): the HTTP
// cases report the server's CPU per request, which moves less than req/s when neighbours
// take the cores of a shared machine. null where /proc is not available.
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

let ticksPerSecond;

/** utime + stime of `pid` in milliseconds, or null. */
export function processCpuMs(pid) {
  try {
    ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which sits in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    return (ticks * 1000) / ticksPerSecond;
  } catch {
    return null;
  }
}
