// Typed errors. A UsageError is the user's to fix (bad option, malformed input,
// missing file); its message says what is wrong and what to do instead.

/** An error caused by the caller's input; the CLI exits 2 on it. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Throws a UsageError unless the condition holds. */
export function require(condition: unknown, message: string): asserts condition {
  if (!condition) throw new UsageError(message);
}
