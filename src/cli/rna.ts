// `descent rna fold|eval|design|bench`: the RNA folding engine and designer on the command line.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../core/errors.js";
import { Rng } from "../core/rng.js";
import { makeDir } from "../core/run-folder.js";
import { KT } from "../studies/rna/boltzmann.js";
import { type Coupling, DEFAULT_DESIGN, design, type Init } from "../studies/rna/design.js";
import type { Dangles } from "../studies/rna/energy.js";
import {
  loadPaperResults,
  loadPuzzles,
  runBenchmark,
  selectPuzzles,
  summarise,
} from "../studies/rna/eterna.js";
import { analyseTarget, defaultModel } from "../studies/rna/fold.js";
import { mfe } from "../studies/rna/mfe.js";
import { OBJECTIVES, type Objective } from "../studies/rna/objective.js";
import { partition } from "../studies/rna/partition.js";
import { ScorePool } from "../studies/rna/score-pool.js";
import {
  checkCompatible,
  decodeSequence,
  encodeSequence,
  parseStructure,
} from "../studies/rna/sequence.js";
import { numberOption, parseArgs } from "./args.js";
import { makeProgress } from "./progress.js";
import type { CliTool } from "./tool.js";

const OBJECTIVE_LABEL: Record<Objective, string> = { prob: "-ln p", ned: "NED", gap: "energy gap" };

const USAGE = `descent rna: RNA secondary structure (Turner 2004, ViennaRNA 2.6 conventions) and design

usage:
  descent rna fold <sequence> [--dangles 2|0] [--json]
  descent rna eval <sequence> <structure> [--dangles 2|0] [--json]
  descent rna design <structure> [--objective prob|ned|gap] [--budget-seconds S]
                     [--init targeted,uniform] [--runs R] [--coupling mismatch|pairs]
                     [--samples K] [--lr X] [--workers W]
                     [--seed N] [--out DIR] [--json]
                     (writes trajectory.jsonl and result.json to DIR, default runs/rna-design-<time>)
  descent rna bench [--set v1|v2] [--ids 8,1,23] [--budget-seconds S] [--workers W]
                    [--seed N] [--json]

Sequences take A, C, G, U (any case; T is read as U); structures are dot-bracket.
Energies are in kcal/mol at 37 C.
`;

function dangles(value: unknown): Dangles {
  const d = numberOption(value, "dangles", 2);
  if (d !== 0 && d !== 2) throw new UsageError("--dangles must be 2 (default) or 0");
  return d;
}

function workers(value: unknown): number {
  const w = numberOption(value, "workers", 2);
  if (!Number.isInteger(w) || w < 0 || w > 64) {
    throw new UsageError("--workers must be an integer from 0 (score in the main thread) to 64");
  }
  return w;
}

function print(json: boolean, object: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(object)}\n` : text);
}

const energy = (e: number) => `(${e.toFixed(2).padStart(6)})`;

async function fold(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(
    argv,
    { boolean: ["json"], string: ["dangles"] },
    "descent rna fold",
  );
  if (positionals.length !== 1)
    throw new UsageError("descent rna fold needs one sequence, e.g. 'descent rna fold GGGAAACCC'");
  const model = defaultModel(dangles(options.dangles));
  const S = encodeSequence(positionals[0]);
  const folded = mfe(model, S);
  const pf = partition(model, S);
  const mfeKcal = folded.energy / 100;
  const mfeProbability = Math.exp(-(mfeKcal - pf.ensembleEnergy) / KT);
  const result = {
    sequence: decodeSequence(S),
    structure: folded.structure,
    mfe: mfeKcal,
    ensembleEnergy: pf.ensembleEnergy,
    mfeProbability,
  };
  print(
    Boolean(options.json),
    result,
    `${result.sequence}\n${result.structure} ${energy(mfeKcal)}\n` +
      ` free energy of ensemble = ${pf.ensembleEnergy.toFixed(2)} kcal/mol\n` +
      ` frequency of mfe structure in ensemble ${mfeProbability.toPrecision(6)}\n`,
  );
  return 0;
}

async function evaluate(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(
    argv,
    { boolean: ["json"], string: ["dangles"] },
    "descent rna eval",
  );
  if (positionals.length !== 2) {
    throw new UsageError(
      "descent rna eval needs a sequence and a structure, e.g. 'descent rna eval GGGAAACCC \"(((...)))\"'",
    );
  }
  const model = defaultModel(dangles(options.dangles));
  const S = encodeSequence(positionals[0]);
  const pt = parseStructure(positionals[1]);
  checkCompatible(S, pt);
  const r = analyseTarget(model, S, pt);
  const result = { energy: r.energy, probability: r.probability, ned: r.ned, isMfe: r.isMfe };
  print(
    Boolean(options.json),
    result,
    `${decodeSequence(S)}\n${positionals[1].trim()} ${energy(r.energy)}\n` +
      ` probability in ensemble ${r.probability.toPrecision(6)}; ensemble defect ${r.ned.toFixed(6)}; ` +
      `${r.isMfe ? (r.isUniqueMfe ? "the unique MFE" : "an MFE (tied)") : `not the MFE (gap ${r.energyGap.toFixed(2)})`}\n`,
  );
  return 0;
}

function objective(value: unknown): Objective {
  const o = (value ?? "prob") as Objective;
  if (!OBJECTIVES.includes(o))
    throw new UsageError(`--objective must be one of ${OBJECTIVES.join(", ")}, got '${o}'`);
  return o;
}

function inits(value: unknown): Init[] {
  if (value === undefined) return DEFAULT_DESIGN.inits;
  const list = String(value).split(",");
  for (const i of list) {
    if (i !== "targeted" && i !== "uniform")
      throw new UsageError(`--init takes targeted and/or uniform (comma-separated), got '${i}'`);
  }
  return list as Init[];
}

function coupling(value: unknown): Coupling {
  const c = value ?? DEFAULT_DESIGN.coupling;
  if (c !== "pairs" && c !== "mismatch") {
    throw new UsageError(`--coupling must be pairs or mismatch, got '${String(c)}'`);
  }
  return c;
}

function positive(value: unknown, name: string, fallback: number): number {
  const x = numberOption(value, name, fallback);
  if (!(x > 0)) throw new UsageError(`--${name} must be positive, got ${x}`);
  return x;
}

async function designCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(
    argv,
    {
      boolean: ["json"],
      string: [
        "objective",
        "budget-seconds",
        "init",
        "samples",
        "lr",
        "runs",
        "coupling",
        "workers",
        "seed",
        "out",
        "dangles",
      ],
    },
    "descent rna design",
  );
  if (positionals.length !== 1)
    throw new UsageError(
      "descent rna design needs one dot-bracket target, e.g. 'descent rna design \"((((...))))\"'",
    );
  const target = positionals[0].trim();
  const pt = parseStructure(target);
  if (!pt.some((j) => j >= 0))
    throw new UsageError("the target has no base pairs; any sequence without pairs would do");
  const d = dangles(options.dangles);
  const opts = {
    objective: objective(options.objective),
    budgetSeconds: positive(
      options["budget-seconds"],
      "budget-seconds",
      DEFAULT_DESIGN.budgetSeconds,
    ),
    inits: inits(options.init),
    samplesPerStep: Math.round(positive(options.samples, "samples", DEFAULT_DESIGN.samplesPerStep)),
    learningRate: positive(options.lr, "lr", DEFAULT_DESIGN.learningRate),
    runs: Math.round(positive(options.runs, "runs", DEFAULT_DESIGN.runs)),
    coupling: coupling(options.coupling),
    dangles: d,
  };
  // the run folder is made before the design, so a bad --out fails at once
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");
  const dir = options.out ? String(options.out) : join("runs", `rna-design-${stamp}`);
  makeDir(dir);
  const w = workers(options.workers);
  const pool = w > 1 && target.length >= 40 ? new ScorePool(w) : undefined;
  const progress = makeProgress(process.stderr, "rna design ");
  try {
    let shown = -1;
    const result = await design(
      target,
      opts,
      new Rng(numberOption(options.seed, "seed", 0)),
      pool,
      (s) => {
        const second = Math.floor(s.seconds);
        if (second === shown || second >= opts.budgetSeconds) return;
        shown = second;
        progress({
          stage: "seconds",
          done: second,
          total: opts.budgetSeconds,
          message: `${s.init} start, best ${OBJECTIVE_LABEL[opts.objective]} ${s.bestScore.toFixed(4)}`,
        });
      },
    );
    const r = analyseTarget(defaultModel(d), encodeSequence(result.sequence), pt);
    const out = {
      sequence: result.sequence,
      probability: r.probability,
      ned: r.ned,
      energyGap: r.energyGap,
      isMfe: r.isMfe,
      isUniqueMfe: r.isUniqueMfe,
    };
    // the run folder: trajectory (one record per step) and the result
    writeFileSync(
      join(dir, "trajectory.jsonl"),
      result.trajectory.map((s) => JSON.stringify(s)).join("\n") + "\n",
    );
    writeFileSync(
      join(dir, "result.json"),
      `${JSON.stringify({ target, ...opts, ...out, mfeStructure: r.mfeStructure, steps: result.steps, evaluations: result.evaluations, seconds: result.seconds, foundBy: result.foundBy }, null, 2)}\n`,
    );
    print(
      Boolean(options.json),
      out,
      `${out.sequence}\n${target} ${energy(r.energy)}\n` +
        ` p(target) ${r.probability.toPrecision(6)}; NED ${r.ned.toFixed(6)}; energy gap ${r.energyGap.toFixed(2)}; ` +
        `${r.isUniqueMfe ? "unique MFE" : r.isMfe ? "MFE (tied)" : "not the MFE"}\n` +
        ` ${result.steps} steps, ${result.evaluations} sequences scored in ${result.seconds.toFixed(1)} s (best from ${result.foundBy} start)\n` +
        ` trajectory and result in ${dir}\n`,
    );
  } finally {
    await pool?.close();
  }
  return 0;
}

function parseIds(value: unknown): number[] | undefined {
  if (value === undefined) return undefined;
  const ids = String(value)
    .split(",")
    .map((s) => Number(s.trim()));
  if (ids.some((id) => !Number.isInteger(id)))
    throw new UsageError(`--ids takes comma-separated integers, got '${value}'`);
  return ids;
}

async function bench(argv: string[]): Promise<number> {
  const { options } = parseArgs(
    argv,
    { boolean: ["json"], string: ["set", "ids", "budget-seconds", "workers", "seed", "objective"] },
    "descent rna bench",
  );
  const set = (options.set ?? "v1") as string;
  if (set !== "v1" && set !== "v2") throw new UsageError(`--set must be v1 or v2, got '${set}'`);
  const all = loadPuzzles(set);
  const ids = parseIds(options.ids);
  const puzzles = ids ? selectPuzzles(all, ids) : all;
  const budget = positive(
    options["budget-seconds"],
    "budget-seconds",
    DEFAULT_DESIGN.budgetSeconds,
  );
  const w = workers(options.workers);
  const pool =
    w > 1 && puzzles.some((p) => p.structure.length >= 40) ? new ScorePool(w) : undefined;
  const progress = makeProgress(process.stderr, "rna bench ");
  try {
    const rows = await runBenchmark(
      puzzles,
      { budgetSeconds: budget, objective: objective(options.objective) },
      new Rng(numberOption(options.seed, "seed", 0)),
      pool,
      undefined,
      (row, k) =>
        progress({
          stage: "puzzles",
          done: k + 1,
          total: puzzles.length,
          message: `#${row.id} ${row.isMfe ? "solved" : "unsolved"}`,
        }),
    );
    const summary = summarise(rows, set);
    if (options.json) {
      print(true, { puzzles: rows, summary, budgetSeconds: budget, set }, "");
      return 0;
    }
    const paper = set === "v1" ? loadPaperResults() : new Map();
    const lines = [
      `Eterna100-${set.toUpperCase()}, ${budget} s per puzzle (paper: hours per puzzle on 64 cores)`,
      "  id  len  p(y*|x)    NED      MFE  uMFE    s    | SamplingDesign p / NED | SAMFEO p / NED",
    ];
    for (const r of rows) {
      const p = paper.get(r.id);
      const sd = p
        ? `${p.samplingDesign.probability.toFixed(4)} / ${p.samplingDesign.ned.toFixed(4)}`
        : "-";
      const sf = p ? `${p.samfeo.probability.toFixed(4)} / ${p.samfeo.ned.toFixed(4)}` : "-";
      lines.push(
        `${String(r.id).padStart(4)} ${String(r.length).padStart(4)}  ${r.probability.toFixed(4).padStart(7)}  ${r.ned.toFixed(4)}  ${r.isMfe ? "yes" : "no "}  ${r.isUniqueMfe ? "yes" : "no "}  ${r.seconds.toFixed(1).padStart(5)} | ${sd.padEnd(22)} | ${sf}`,
      );
    }
    lines.push(
      `mean p ${summary.arithmeticMeanProbability.toFixed(4)}, geometric mean p ${summary.geometricMeanProbability.toExponential(3)}, mean NED ${summary.meanNed.toFixed(4)}, MFE-solved ${summary.mfeSolved}/${rows.length}, uMFE-solved ${summary.umfeSolved}/${rows.length}, ${summary.meanSeconds.toFixed(1)} s per puzzle`,
    );
    print(false, null, `${lines.join("\n")}\n`);
  } finally {
    await pool?.close();
  }
  return 0;
}

/** The `rna` command-line tool. */
export const rnaTool: CliTool = {
  name: "rna",
  summary: "fold, evaluate and design RNA secondary structures (Turner 2004)",
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub === "fold") return fold(rest);
    if (sub === "eval") return evaluate(rest);
    if (sub === "design") return designCommand(rest);
    if (sub === "bench") return bench(rest);
    if (sub === undefined || sub === "help" || sub === "--help") {
      process.stdout.write(USAGE);
      return sub === undefined ? 2 : 0;
    }
    throw new UsageError(
      `descent rna: unknown subcommand '${sub}'; use fold, eval, design or bench`,
    );
  },
};
