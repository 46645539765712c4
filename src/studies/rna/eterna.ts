// The Eterna100 benchmark: targets (V1 and V2), the paper's per-puzzle results for
// SamplingDesign and SAMFEO, and a runner that designs each puzzle and summarises.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { UsageError } from "../../core/errors.js";
import type { Rng } from "../../core/rng.js";
import { type DesignOptions, type DesignStep, design } from "./design.js";
import { analyseTarget, defaultModel } from "./fold.js";
import type { ScorePool } from "./score-pool.js";
import { encodeSequence, parseStructure } from "./sequence.js";

export interface Puzzle {
  id: number;
  name: string;
  structure: string;
}

const dataPath = (name: string) =>
  fileURLToPath(new URL(`../../../data/rna/${name}`, import.meta.url));

/** Eterna100 targets of version 1 or 2, by id. */
export function loadPuzzles(set: "v1" | "v2"): Puzzle[] {
  const lines = readFileSync(dataPath(`eterna100_${set}.tsv`), "utf8")
    .trim()
    .split("\n");
  return lines.slice(1).map((line) => {
    const [id, name, , structure] = line.split("\t");
    return { id: Number(id), name, structure };
  });
}

/** Picks puzzles by id, in the order given; throws a UsageError naming unknown ids. */
export function selectPuzzles(all: Puzzle[], ids: number[]): Puzzle[] {
  return ids.map((id) => {
    const p = all.find((q) => q.id === id);
    if (!p) throw new UsageError(`no Eterna100 puzzle with id ${id}; ids run from 1 to 100`);
    return p;
  });
}

/** One method's best results on a puzzle, as published. */
export interface PaperResult {
  probability: number;
  ned: number;
  /** The best structural distance was 0: some sequence had the target as its MFE. */
  mfeSolved: boolean;
}

/** Per-puzzle results of SamplingDesign and SAMFEO on Eterna100-V1 (the paper's data). */
export function loadPaperResults(): Map<
  number,
  { samplingDesign: PaperResult; samfeo: PaperResult }
> {
  const read = (file: string) => {
    const out = new Map<number, PaperResult>();
    const lines = readFileSync(dataPath(file), "utf8").trim().split("\n");
    for (const line of lines.slice(1)) {
      const f = line.split(",");
      out.set(Number(f[0]), {
        probability: Number(f[3]),
        ned: Number(f[5]),
        mfeSolved: Number(f[7]) === 0,
      });
    }
    return out;
  };
  const sd = read("samplingdesign_eterna100_v1_best.csv");
  const sf = read("samfeo_eterna100_v1_best.csv");
  const out = new Map<number, { samplingDesign: PaperResult; samfeo: PaperResult }>();
  for (const [id, r] of sd) {
    const other = sf.get(id);
    if (other) out.set(id, { samplingDesign: r, samfeo: other });
  }
  return out;
}

export interface PuzzleRow {
  id: number;
  length: number;
  sequence: string;
  probability: number;
  ned: number;
  energyGap: number;
  isMfe: boolean;
  isUniqueMfe: boolean;
  seconds: number;
  foundBy: string;
  evaluations: number;
}

export interface BenchSummary {
  arithmeticMeanProbability: number;
  geometricMeanProbability: number;
  /** Geometric mean over the puzzles that at least one method (ours, SamplingDesign, SAMFEO) MFE-solved. */
  geometricMeanProbabilitySolvedByAny: number;
  meanNed: number;
  mfeSolved: number;
  umfeSolved: number;
  puzzles: number;
  meanSeconds: number;
}

/** Summary statistics over benchmark rows (the overall figures). */
export function summarise(rows: PuzzleRow[], set: "v1" | "v2"): BenchSummary {
  const paper = set === "v1" ? loadPaperResults() : new Map();
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const geo = (xs: number[]) => Math.exp(mean(xs.map((p) => Math.log(Math.max(p, 1e-300)))));
  const solvedByAny = rows.filter((r) => {
    const p = paper.get(r.id);
    return r.isMfe || p?.samplingDesign.mfeSolved || p?.samfeo.mfeSolved;
  });
  return {
    arithmeticMeanProbability: mean(rows.map((r) => r.probability)),
    geometricMeanProbability: geo(rows.map((r) => r.probability)),
    geometricMeanProbabilitySolvedByAny: geo(solvedByAny.map((r) => r.probability)),
    meanNed: mean(rows.map((r) => r.ned)),
    mfeSolved: rows.filter((r) => r.isMfe).length,
    umfeSolved: rows.filter((r) => r.isUniqueMfe).length,
    puzzles: rows.length,
    meanSeconds: mean(rows.map((r) => r.seconds)),
  };
}

/** Designs each puzzle in turn with the given options and reports the final sequences. */
export async function runBenchmark(
  puzzles: Puzzle[],
  options: Partial<DesignOptions>,
  rng: Rng,
  pool?: ScorePool,
  onStep?: (puzzle: Puzzle, step: DesignStep) => void,
  onPuzzle?: (row: PuzzleRow, index: number) => void,
): Promise<PuzzleRow[]> {
  const rows: PuzzleRow[] = [];
  const model = defaultModel(options.dangles ?? 2);
  for (const [index, puzzle] of puzzles.entries()) {
    const result = await design(
      puzzle.structure,
      options,
      rng.fork(`puzzle-${puzzle.id}`),
      pool,
      (s) => onStep?.(puzzle, s),
    );
    const report = analyseTarget(
      model,
      encodeSequence(result.sequence),
      parseStructure(puzzle.structure),
    );
    const row: PuzzleRow = {
      id: puzzle.id,
      length: puzzle.structure.length,
      sequence: result.sequence,
      probability: report.probability,
      ned: report.ned,
      energyGap: report.energyGap,
      isMfe: report.isMfe,
      isUniqueMfe: report.isUniqueMfe,
      seconds: result.seconds,
      foundBy: result.foundBy,
      evaluations: result.evaluations,
    };
    rows.push(row);
    onPuzzle?.(row, index);
  }
  return rows;
}
