// Command-line options shared by every bench script (`node bench/run.mjs --duration 5`).
// Issue 5 bounds each load case to 30 s, so a larger duration is clamped, not refused.

export const MAX_DURATION_S = 30;

/**
 * @param {string[]} argv process.argv.slice(2)
 * @returns {{ duration: number, connections: number, only: string[] | null, markdown: boolean, detail: boolean, notes: string[] }}
 */
export function parseArgs(argv) {
  const options = { duration: 10, connections: 10, only: null, markdown: false, detail: false, notes: [] };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "--duration":
        options.duration = positiveNumber(flag, value());
        break;
      case "--connections":
        options.connections = Math.floor(positiveNumber(flag, value()));
        break;
      case "--only":
        options.only = value().split(",").map((part) => part.trim()).filter(Boolean);
        break;
      case "--markdown":
        options.markdown = true;
        break;
      case "--detail":
        options.detail = true;
        break;
      default:
        throw new Error(`unknown option ${flag} (known: --duration S, --connections N, --only a,b, --markdown, --detail)`);
    }
  }
  if (options.duration > MAX_DURATION_S) {
    options.notes.push(`duration ${options.duration}s clamped to ${MAX_DURATION_S}s (issue 5: at most 30 s per case)`);
    options.duration = MAX_DURATION_S;
  }
  return options;
}

function positiveNumber(flag, raw) {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number, got ${raw}`);
  return n;
}
