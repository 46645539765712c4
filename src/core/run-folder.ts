// Run folders: runs/<study>-<timestamp>/ with config.json, metrics.jsonl,
// summary.json, report.html and artifacts. Everything is written as it comes,
// so a run that fails midway keeps what it wrote.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { engineVersion } from "./engine.js";
import { UsageError } from "./errors.js";
import { renderReportHtml } from "./report/html.js";
import { Rng } from "./rng.js";
import type { MetricRecord, ProgressFn, Study, StudyContext } from "./study.js";

export const descentVersion = "0.1.0";

function timestamp(date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");
}

/** Creates a folder and its parents, with a UsageError saying why when it cannot. */
export function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    throw new UsageError(
      `cannot create folder ${dir} (${code || (error as Error).message}): choose another --out`,
    );
  }
}

/** Creates a fresh run folder under `parent`, suffixing -2, -3, ... if the name is taken. */
export function createRunDir(parent: string, study: string): string {
  const root = resolve(parent);
  makeDir(root);
  const base = join(root, `${study}-${timestamp()}`);
  for (let i = 1; ; i++) {
    const dir = i === 1 ? base : `${base}-${i}`;
    try {
      mkdirSync(dir); // fails with EEXIST instead of sharing a folder with a concurrent run
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") makeDir(dir);
    }
  }
}

/** Reads metrics.jsonl back as records. */
export function readMetrics(runDir: string): MetricRecord[] {
  const path = join(runDir, "metrics.jsonl");
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as MetricRecord);
}

function readJson(path: string, what: string): unknown {
  if (!existsSync(path)) {
    throw new UsageError(
      `${path} not found: pass a run folder made by 'descent run' (it holds ${what})`,
    );
  }
  return JSON.parse(readFileSync(path, "utf8"));
}

export interface RunResult<S> {
  dir: string;
  summary: S;
  reportPath: string;
}

/** Merges plain objects recursively; arrays and scalars in `over` replace those in `base`. */
export function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Dotted paths of every key in `over` that `parsed` lacks (unknown settings). */
function unknownKeys(over: Record<string, unknown>, parsed: unknown, prefix = ""): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(over)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (!isPlainObject(parsed) || !Object.hasOwn(parsed, key)) out.push(path);
    else if (isPlainObject(value)) out.push(...unknownKeys(value, parsed[key], path));
  }
  return out;
}

function knownKeys(parsed: unknown, prefix = ""): string[] {
  if (!isPlainObject(parsed)) return [];
  return Object.entries(parsed).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return isPlainObject(value) ? knownKeys(value, path) : [path];
  });
}

/** Parses a study's config from a preset and overrides; bad values are UsageErrors. */
export function parseConfig<C>(
  study: Study<C>,
  preset: "quick" | "full",
  overrides: Record<string, unknown>,
): C {
  const merged = deepMerge(deepMerge({}, study.presets[preset]), overrides);
  const result = study.config.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.join(".") || "(config)"}: ${issue.message}`)
      .join("; ");
    throw new UsageError(`invalid config for '${study.name}': ${problems}`);
  }
  const unknown = unknownKeys(overrides, result.data);
  if (unknown.length) {
    throw new UsageError(
      `unknown setting ${unknown.map((k) => `'${k}'`).join(", ")} for '${study.name}'; known settings: ${knownKeys(result.data).join(", ")}`,
    );
  }
  return result.data;
}

/** Runs a study into a new run folder and writes its report. */
export async function runStudy<C, S>(
  study: Study<C, S>,
  config: C,
  options: {
    parent: string;
    seed: number;
    progress: ProgressFn;
    dir?: string;
    /** Called with the run folder once it exists, before the study starts. */
    onStart?: (dir: string) => void;
  },
): Promise<RunResult<S>> {
  const dir = options.dir ?? createRunDir(options.parent, study.name);
  makeDir(dir);
  const configRecord = {
    study: study.name,
    seed: options.seed,
    versions: { descent: descentVersion, "@jax-js/jax": engineVersion, node: process.version },
    startedAt: new Date().toISOString(),
    config,
  };
  writeFileSync(join(dir, "config.json"), `${JSON.stringify(configRecord, null, 2)}\n`);
  const metricsPath = join(dir, "metrics.jsonl");
  writeFileSync(metricsPath, "");
  options.onStart?.(dir);
  const metrics: MetricRecord[] = [];
  const ctx: StudyContext = {
    seed: options.seed,
    rng: new Rng(options.seed),
    progress: options.progress,
    outDir: dir,
    metric(record) {
      metrics.push(record);
      appendFileSync(metricsPath, `${JSON.stringify(record)}\n`);
    },
    artifact(name, data) {
      const path = join(dir, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, data);
      return path;
    },
  };
  let summary: S;
  try {
    summary = await study.run(config, ctx);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    writeFileSync(join(dir, "error.txt"), `${message}\n`);
    if (error instanceof Error) error.message += ` (partial results kept in ${dir})`;
    throw error;
  }
  writeFileSync(join(dir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  const reportPath = await writeReport(study, dir, summary, metrics, config);
  return { dir, summary, reportPath };
}

/** (Re)writes report.html for a run folder from its files. */
export async function writeReport<C, S>(
  study: Study<C, S>,
  dir: string,
  summary: S,
  metrics: MetricRecord[],
  config: C,
): Promise<string> {
  const report = study.report(summary, metrics, config);
  const html = await renderReportHtml({
    title: `descent: ${study.name}`,
    subtitle: `${study.summary} Following ${study.paper}.`,
    report,
    config,
    summary,
  });
  const path = join(dir, "report.html");
  writeFileSync(path, html);
  return path;
}

/** Loads a run folder's config and summary, for `descent report`. */
export function loadRun(dir: string): { studyName: string; config: unknown; summary: unknown } {
  const configRecord = readJson(join(dir, "config.json"), "config.json") as {
    study?: unknown;
    config?: unknown;
  } | null;
  if (typeof configRecord?.study !== "string") {
    throw new UsageError(
      `${join(dir, "config.json")} names no study: pass a run folder made by 'descent run'`,
    );
  }
  const summary = readJson(join(dir, "summary.json"), "summary.json of a finished run");
  return { studyName: configRecord.study, config: configRecord.config ?? {}, summary };
}
