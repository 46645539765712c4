// A command-line tool beside `run`: `descent <name> <subcommand> ...`.

export interface CliTool {
  name: string;
  summary: string;
  /** Usage text listing subcommands and options. */
  usage: string;
  /** Runs the tool; throws UsageError for bad input. Returns the exit code. */
  run(argv: string[]): Promise<number>;
}
