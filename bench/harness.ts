// Shared timing helpers for the benchmarks: medians of repeated runs, and a
// row format that prints a ratio against a baseline measured in the same run.

export interface BenchRow {
  name: string;
  /** Median milliseconds of ours. */
  ms: number;
  baseline?: string;
  baselineMs?: number;
  note?: string;
}

/** Median wall time in milliseconds of `reps` calls after `warmup` calls. */
export async function timeMs(
  fn: () => unknown | Promise<unknown>,
  reps = 10,
  warmup = 2,
): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export function formatRows(title: string, rows: BenchRow[]): string {
  const lines = [`## ${title}`, ""];
  lines.push("| benchmark | ours (ms) | baseline | baseline (ms) | ours / baseline | note |");
  lines.push("| --- | ---: | --- | ---: | ---: | --- |");
  for (const r of rows) {
    const ratio = r.baselineMs ? (r.ms / r.baselineMs).toFixed(2) : "–";
    const base = r.baselineMs !== undefined ? r.baselineMs.toFixed(2) : "–";
    lines.push(
      `| ${r.name} | ${r.ms.toFixed(2)} | ${r.baseline ?? "–"} | ${base} | ${ratio} | ${r.note ?? ""} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}
