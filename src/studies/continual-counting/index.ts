// Study: private continual counting by factorisation mechanisms and their
// streaming approximation by binning (Andersson & Pagh, SaTML 2025): the space
// figure, error against space, and private MNIST training at equal privacy.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { loadMnist } from "../../core/data/mnist.js";
import { lineChart } from "../../core/report/svg.js";
import type { MetricRecord, Report, Study } from "../../core/study.js";
import type { MechanismName } from "./counters.js";
import { buildBinned } from "./counters.js";
import { CryptoSource, SeededSource } from "./noise.js";
import { calibrate } from "./privacy.js";
import type { SpaceRow } from "./space.js";
import { paperGrid, smallestSpaces, sweepPoints } from "./space.js";
import { trainPrivately } from "./training.js";

export * from "./binning.js";
export * from "./counters.js";
export * from "./errors.js";
export * from "./noise.js";
export * from "./privacy.js";
export * from "./space.js";
export * from "./toeplitz.js";
export * from "./tree.js";

const FACTORS = [1.0, 1.001, 1.01, 1.4];
const TRAINING_MECHANISMS: MechanismName[] = [
  "independent",
  "tree",
  "tree-honaker",
  "sqrt",
  "binned",
];

const workloadSchema = z.object({ alpha: z.number().gt(0).max(1), beta: z.number().min(0).lt(1) });

const configSchema = z.object({
  space: z
    .object({
      nMin: z.number().int().min(2).default(10),
      nMax: z.number().int().min(2).max(20000).default(10000),
      /** Keep every k-th n of the paper's grid (n <- ceil(1.1 n)). */
      stride: z.number().int().min(1).default(1),
      maxD: z.number().int().min(2).default(200),
    })
    .default({ nMin: 10, nMax: 10000, stride: 1, maxD: 200 }),
  curves: z
    .object({
      n: z.array(z.number().int().min(2).max(20000)).default([100, 1000, 10000]),
      d: z.array(z.number().gt(1)).default([1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32]),
      workloads: z.array(workloadSchema).default([
        { alpha: 1, beta: 0 },
        { alpha: 1, beta: 0.95 },
        { alpha: 1, beta: 0.9 },
        { alpha: 0.99, beta: 0 },
        { alpha: 0.99, beta: 0.95 },
      ]),
    })
    .default({
      n: [100, 1000, 10000],
      d: [1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32],
      workloads: [
        { alpha: 1, beta: 0 },
        { alpha: 1, beta: 0.95 },
        { alpha: 1, beta: 0.9 },
        { alpha: 0.99, beta: 0 },
        { alpha: 0.99, beta: 0.95 },
      ],
    }),
  training: z
    .object({
      train: z.number().int().min(10).default(8000),
      test: z.number().int().min(10).default(2000),
      batchSize: z.number().int().min(1).default(50),
      clip: z.number().gt(0).default(1),
      learningRate: z.number().gt(0).default(2),
      epsilons: z.array(z.number().gt(0)).default([1, 2, 4, 8, 16]),
      delta: z.number().gt(0).lt(1).default(1e-5),
      binningD: z.number().gt(1).default(4),
      /** "crypto": the OS CSPRNG (as a deployment would); "seeded": reproducible from --seed. */
      noiseSource: z.enum(["crypto", "seeded"]).default("crypto"),
    })
    .refine((t) => t.batchSize * 2 <= t.train, {
      message: "batchSize must be at most half of train (one pass needs at least 2 steps)",
      path: ["batchSize"],
    })
    .refine((t) => t.epsilons.length > 0, {
      message: "give at least one epsilon",
      path: ["epsilons"],
    })
    .refine((t) => t.train + t.test <= 10000, {
      message: "train + test must be at most 10000 (MNIST has 10,000 digits)",
      path: ["train"],
    })
    .default({
      train: 8000,
      test: 2000,
      batchSize: 50,
      clip: 1,
      learningRate: 2,
      epsilons: [1, 2, 4, 8, 16],
      delta: 1e-5,
      binningD: 4,
      noiseSource: "crypto",
    }),
});

export type Config = z.infer<typeof configSchema>;

export interface TrainingRow {
  mechanism: MechanismName | "none";
  epsilon: number | null;
  rho: number | null;
  noiseMultiplier: number | null;
  accuracy: number;
  noiseMemoryFloats: number;
  steps: number;
  /** Where the noise came from: "crypto" (OS CSPRNG) or "seeded" (reproducible, not private). */
  noiseSource: "crypto" | "seeded";
}

export interface CurvePoint {
  n: number;
  alpha: number;
  beta: number;
  d: number;
  space: number;
  maxRatio: number;
  meanRatio: number;
}

export interface Summary {
  spaceTable: (SpaceRow & { paper: number | null })[];
  curves: CurvePoint[];
  training: TrainingRow[];
  /** Rows of spaceTable where the paper has a value, and how many agree exactly. */
  paperComparison: { compared: number; equal: number };
}

interface PaperSpaces {
  factors: number[];
  meanse: Record<string, number[]>;
  maxse: Record<string, number[]>;
}

function paperSpaces(): PaperSpaces {
  const url = new URL("../../../data/dp/paper_space_vs_n.json", import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as PaperSpaces;
}

async function run(
  config: Config,
  ctx: Parameters<Study<Config, Summary>["run"]>[1],
): Promise<Summary> {
  const paper = paperSpaces();
  const grid = paperGrid(config.space.nMin, config.space.nMax).filter(
    (_, i, all) => i % config.space.stride === 0 || i === all.length - 1,
  );
  const spaceTable: Summary["spaceTable"] = [];
  let compared = 0;
  let equal = 0;
  for (const [i, n] of grid.entries()) {
    ctx.progress({ stage: "space", done: i, total: grid.length, message: `n=${n}` });
    for (const row of smallestSpaces(n, FACTORS, { maxD: config.space.maxD })) {
      const theirs = paper[row.metric][String(n)]?.[paper.factors.indexOf(row.factor)] ?? null;
      if (theirs !== null) {
        compared++;
        if (theirs === row.space) equal++;
      }
      spaceTable.push({ ...row, paper: theirs });
      ctx.metric({ kind: "space", ...row, paper: theirs });
    }
  }
  ctx.progress({ stage: "space", done: grid.length, total: grid.length });

  const curves: CurvePoint[] = [];
  const curveJobs = config.curves.n.flatMap((n) =>
    config.curves.workloads.map((w) => ({ n, ...w })),
  );
  for (const [i, job] of curveJobs.entries()) {
    ctx.progress({
      stage: "curves",
      done: i,
      total: curveJobs.length,
      message: `n=${job.n} a=${job.alpha} b=${job.beta}`,
    });
    const points = sweepPoints(job.n, { alpha: job.alpha, beta: job.beta }, config.curves.d);
    for (const point of points) {
      const row = {
        n: job.n,
        alpha: job.alpha,
        beta: job.beta,
        d: point.d,
        space: point.space,
        maxRatio: point.maxRatio,
        meanRatio: point.meanRatio,
      };
      curves.push(row);
      ctx.metric({ kind: "curve", ...row });
    }
  }
  ctx.progress({ stage: "curves", done: curveJobs.length, total: curveJobs.length });

  const t = config.training;
  const { train, test } = loadMnist({ seed: ctx.seed, train: t.train, test: t.test });
  const steps = Math.floor(t.train / t.batchSize);
  const binning = buildBinned(steps, { alpha: 1, beta: 0 }, { d: t.binningD });
  const training: TrainingRow[] = [];
  const jobs: { mechanism: MechanismName | "none"; epsilon: number | null }[] = [
    { mechanism: "none", epsilon: null },
    ...t.epsilons.flatMap((epsilon) =>
      TRAINING_MECHANISMS.map((mechanism) => ({ mechanism, epsilon })),
    ),
  ];
  for (const [i, job] of jobs.entries()) {
    ctx.progress({
      stage: "training",
      done: i,
      total: jobs.length,
      message: `${job.mechanism} eps=${job.epsilon ?? "inf"}`,
    });
    const calibration =
      job.epsilon === null ? null : calibrate({ epsilon: job.epsilon, delta: t.delta });
    const result = trainPrivately(train, test, {
      mechanism: job.mechanism,
      noiseMultiplier: calibration?.noiseMultiplier ?? 1,
      batchSize: t.batchSize,
      clip: t.clip,
      learningRate: t.learningRate,
      random:
        t.noiseSource === "crypto"
          ? new CryptoSource()
          : new SeededSource(ctx.rng.fork(`noise-${i}`)),
      binning,
    });
    const row: TrainingRow = {
      mechanism: job.mechanism,
      epsilon: job.epsilon,
      rho: calibration?.rho ?? null,
      noiseMultiplier: calibration?.noiseMultiplier ?? null,
      accuracy: result.accuracy,
      noiseMemoryFloats: result.noiseMemoryFloats,
      steps: result.steps,
      noiseSource: t.noiseSource,
    };
    training.push(row);
    ctx.metric({
      kind: "training",
      ...row,
      noiseStd: result.noiseStd,
      binnedSpace: binning.matrix.space,
    });
  }
  ctx.progress({ stage: "training", done: jobs.length, total: jobs.length });
  return { spaceTable, curves, training, paperComparison: { compared, equal } };
}

function report(summary: Summary, _metrics: MetricRecord[], config: Config): Report {
  const spaceFigures = (["meanse", "maxse"] as const).map((metric) => {
    const rows = summary.spaceTable.filter((row) => row.metric === metric && row.space !== null);
    const ours = rows.map((row) => ({ n: row.n, space: row.space, factor: `<= ${row.factor}x` }));
    const theirs = rows
      .filter((row) => row.paper !== null)
      .map((row) => ({ n: row.n, space: row.paper, factor: `<= ${row.factor}x` }));
    return {
      title: `Space for binned sqrt(A) to reach ${metric === "meanse" ? "MeanSE" : "MaxSE"} within a factor of sqrt(A)`,
      caption:
        "Lines: measured here with the paper's rule (first d = 2, 3, ... with c = 1 - 1/d, tau = 1/n). Circles: the authors' published figure data (data/dp/paper_space_vs_n.json).",
      spec: lineChart({
        values: ours,
        x: "n",
        y: "space",
        series: "factor",
        logX: true,
        yTitle: "space (bins)",
        layers: [
          {
            data: { values: theirs },
            mark: { type: "point", filled: false, size: 30 },
            encoding: {
              x: { field: "n", type: "quantitative", scale: { type: "log" } },
              y: { field: "space", type: "quantitative" },
              color: { field: "factor", type: "nominal" },
            },
          },
        ],
      }),
    };
  });
  const largest = Math.max(...summary.spaceTable.map((row) => row.n));
  const headline = summary.spaceTable
    .filter((row) => row.n === largest)
    .map(
      (row) => [row.metric, row.factor, row.space, row.d, row.paper] as (string | number | null)[],
    );
  const curveFigures = (["meanRatio", "maxRatio"] as const).flatMap((field) =>
    config.curves.workloads.map((w) => ({
      title: `${field === "meanRatio" ? "MeanSE" : "MaxSE"} of binned / sqrt, alpha=${w.alpha}, beta=${w.beta}`,
      spec: lineChart({
        values: summary.curves
          .filter((p) => p.alpha === w.alpha && p.beta === w.beta)
          .map((p) => ({ space: p.space, ratio: p[field], n: `n=${p.n}` })),
        x: "space",
        y: "ratio",
        series: "n",
        logY: true,
        yTitle: "error multiplier vs sqrt",
      }),
    })),
  );
  const accuracyValues = summary.training
    .filter((row) => row.epsilon !== null)
    .map((row) => ({ epsilon: row.epsilon, accuracy: row.accuracy, mechanism: row.mechanism }));
  const t = config.training;
  return {
    sections: [
      {
        title: "Space needed by binning (paper Fig. 3a/b)",
        text: [
          `For each n on the paper's grid between ${config.space.nMin} and ${config.space.nMax} (every ${config.space.stride}-th point), the space (largest number of bins in a row) at the first d whose binned error is at most 1.0, 1.001, 1.01, 1.4 times that of sqrt(A). ${summary.paperComparison.equal} of ${summary.paperComparison.compared} values equal the authors' published figure data exactly.`,
          "The paper reports at n = 10^4 (MeanSE): space 42 (<= 1.0x), 23 (<= 1.01x), 12 (<= 1.4x); MaxSE: 49, 26, 12.",
        ],
        figures: spaceFigures,
        tables: [
          {
            title: `Largest n measured (n = ${largest}): ours beside the paper`,
            columns: ["metric", "factor", "space (ours)", "d", "space (paper)"],
            rows: headline,
          },
        ],
      },
      {
        title: "Relative error against space (paper Figs. 3c/d and 5)",
        text: [
          `n in ${config.curves.n.join(", ")}; d in ${config.curves.d.join(", ")} (c = 1 - 1/d, tau = 1/n).`,
        ],
        figures: curveFigures,
      },
      {
        title: "Private training on MNIST at equal privacy",
        text: [
          `Softmax regression, one pass over ${t.train} training digits in batches of ${t.batchSize} (${summary.training[0]?.steps ?? 0} steps, each example in exactly one step), per-example gradients from vmap over grad in @jax-js/jax, clipped to L2 norm ${t.clip}; parameters theta_t = -(lr/B) G_t with lr = ${t.learningRate} and G_t the counter's noisy gradient prefix sum. Each mechanism is a Gaussian mechanism with sensitivity clip x ||R||_{1->2}; the noise multiplier comes from the zCDP rho whose CKS'20 conversion gives the stated epsilon at delta = ${t.delta}. Test accuracy on ${t.test} held-out digits. Binned sqrt(A) uses d = ${t.binningD} (space ${summary.training.find((row) => row.mechanism === "binned")?.noiseMemoryFloats ?? 0} floats = bins x 7850). Noise source: ${t.noiseSource === "crypto" ? "the OS CSPRNG (results vary from run to run; set training.noiseSource=seeded to reproduce)" : "a generator seeded from --seed (reproducible; not private against anyone who knows the seed)"}. One run per setting: accuracy differences of a percent or two are within run-to-run noise.`,
        ],
        figures: [
          {
            title: "Test accuracy against epsilon",
            spec: lineChart({
              values: accuracyValues,
              x: "epsilon",
              y: "accuracy",
              series: "mechanism",
              logX: true,
            }),
          },
        ],
        tables: [
          {
            title: "Training comparison",
            columns: [
              "mechanism",
              "epsilon",
              "rho",
              "noise multiplier",
              "test accuracy",
              "noise memory (floats)",
            ],
            rows: summary.training.map((row) => [
              row.mechanism,
              row.epsilon,
              row.rho === null ? null : Number(row.rho.toPrecision(4)),
              row.noiseMultiplier === null ? null : Number(row.noiseMultiplier.toPrecision(4)),
              Number(row.accuracy.toFixed(4)),
              row.noiseMemoryFloats,
            ]),
          },
        ],
      },
    ],
  };
}

export const study: Study<Config, Summary> = {
  name: "continual-counting",
  summary:
    "Private continual counting: sqrt(A), binary tree and binned sqrt(A) (space, error, private MNIST training)",
  paper:
    "Joel Daniel Andersson and Rasmus Pagh, Streaming Private Continual Counting via Binning, SaTML 2025",
  config: configSchema as unknown as Study<Config, Summary>["config"],
  presets: {
    quick: {
      space: { nMin: 10, nMax: 2075, stride: 2, maxD: 200 },
      curves: { n: [100, 1000], d: [2, 3, 4, 6, 8, 16] },
      training: { train: 3000, test: 1000, epsilons: [2, 8] },
    },
    full: {},
  },
  run,
  report,
};
