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

/** Adds `ratio` = ours / baseline to rows that have a baseline time. */
export function withRatios(rows: BenchRow[]): Record<string, unknown>[] {
  return rows.map((r) => ({
    name: r.name,
    ms: r.ms,
    baseline: r.baseline,
    baselineMs: r.baselineMs,
    ratio: r.baselineMs ? r.ms / r.baselineMs : undefined,
    note: r.note,
  }));
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return "–";
  if (typeof value === "number") {
    if (Number.isInteger(value)) return String(value);
    return Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(3);
  }
  return String(value);
}

/** A Markdown table with one column per key found in any row. */
export function formatRows(title: string, rows: Record<string, unknown>[]): string {
  const columns: string[] = [];
  for (const row of rows)
    for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const lines = [
    `## ${title}`,
    "",
    `| ${columns.join(" | ")} |`,
    `| ${columns.map(() => "---").join(" | ")} |`,
  ];
  for (const row of rows) lines.push(`| ${columns.map((c) => cell(row[c])).join(" | ")} |`);
  return `${lines.join("\n")}\n`;
}
