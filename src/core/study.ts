// What a study is: a named, configurable experiment with a run and a report.
import type { z } from "zod";
import type { Rng } from "./rng.js";

/** A progress update: `done` of `total` units of the named stage. */
export interface Progress {
  stage: string;
  done: number;
  total: number;
  message?: string;
}

export type ProgressFn = (update: Progress) => void;

/** One line of metrics.jsonl: any flat JSON record, usually with a `step`. */
export type MetricRecord = Record<string, unknown>;

/** What a study's run receives from whoever runs it. */
export interface StudyContext {
  /** The run's seed, also in config.json. */
  seed: number;
  /** A generator seeded from `seed`; fork it per component. */
  rng: Rng;
  /** Reports progress of long work (a bar on a terminal, lines otherwise). */
  progress: ProgressFn;
  /** Appends one record to metrics.jsonl. */
  metric(record: MetricRecord): void;
  /** Writes a file into the run folder and returns its path. */
  artifact(name: string, data: string | Uint8Array): string;
  /** The run folder. */
  outDir: string;
}

/** A Vega-Lite figure with its data inline. */
export interface Figure {
  title: string;
  caption?: string;
  /** A Vega-Lite specification; `data.values` holds the data. */
  spec: Record<string, unknown>;
}

export type Cell = string | number | boolean | null;

export interface Table {
  title: string;
  caption?: string;
  columns: string[];
  rows: Cell[][];
}

/** A section of a run's report page. */
export interface ReportSection {
  title: string;
  /** Paragraphs of plain text. */
  text?: string[];
  figures?: Figure[];
  tables?: Table[];
  /** Trusted HTML built by the study (for instance inline images). */
  html?: string;
}

export interface Report {
  sections: ReportSection[];
}

/** A research study registered with the CLI. */
export interface Study<C = any, S = any> {
  /** Short id used on the command line (`descent run <name>`). */
  name: string;
  /** One line saying what the study shows. */
  summary: string;
  /** The paper it follows: authors, title, venue. */
  paper: string;
  /** The configuration schema with defaults for every field. */
  config: z.ZodType<C>;
  /** Presets: `quick` finishes in well under a minute on 2 cores. */
  presets: { quick: Record<string, unknown>; full: Record<string, unknown> };
  run(config: C, ctx: StudyContext): Promise<S>;
  report(summary: S, metrics: MetricRecord[], config: C): Report;
}
