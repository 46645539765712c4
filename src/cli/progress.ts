// Progress reporting on stderr: a redrawn bar on a terminal, plain lines
// (at most one per stage every few seconds) otherwise.
import type { Progress, ProgressFn } from "../core/study.js";

/** `done` as shown: whole counts as they are, fractions of a unit to one decimal. */
function count(done: number): string {
  return Number.isInteger(done) ? String(done) : done.toFixed(1);
}

export function makeProgress(stream: NodeJS.WriteStream = process.stderr, prefix = ""): ProgressFn {
  const tty = Boolean(stream.isTTY);
  let lastStage = "";
  let lastPrint = 0;
  let open = false; // a terminal line without its newline yet
  return (update: Progress) => {
    const now = Date.now();
    const fraction = update.total > 0 ? Math.min(1, update.done / update.total) : 0;
    const finished = update.done >= update.total;
    const label = `${prefix}${update.stage}`;
    if (tty) {
      const width = 24;
      const filled = Math.round(fraction * width);
      const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
      const message = update.message ? ` ${update.message}` : "";
      const line = `${label} [${bar}] ${count(update.done)}/${update.total}${message}`;
      // a stage that ended early (a diverged run) keeps its last line
      if (open && update.stage !== lastStage) stream.write("\n");
      stream.write(`\r\x1b[K${line.slice(0, Math.max(20, (stream.columns || 100) - 1))}`);
      lastStage = update.stage;
      open = !finished;
      if (finished) stream.write("\n");
      return;
    }
    if (update.stage !== lastStage || finished || now - lastPrint > 5000) {
      const message = update.message ? ` ${update.message}` : "";
      stream.write(`${label}: ${count(update.done)}/${update.total}${message}\n`);
      lastStage = update.stage;
      lastPrint = now;
    }
  };
}
