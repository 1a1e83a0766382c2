/**
 * A failure the CLI reports as one line on stderr and an exit code, never a stack trace:
 * 1 for a runtime problem (bad config, taken port), 2 for a usage mistake (unknown flag).
 */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly exitCode: 1 | 2;

  constructor(message: string, exitCode: 1 | 2 = 1, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

export function isCliError(value: unknown): value is CliError {
  return value instanceof CliError;
}

/** The first line of an error's message: the CLI prints one line per problem, never a stack. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}
