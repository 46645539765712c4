// Study: early-stopped GD on a wide two-layer ReLU network against NTK
// regression (kernel GD with a data-driven stopping rule, kernel ridge
// regression): rates in n, the U-shaped test error over GD steps, and the
// network-to-kernel distance as the width grows.
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { MNIST_PIXELS } from "../../core/data/mnist.js";
import { UsageError } from "../../core/errors.js";
import { withExecutor } from "../../core/executor.js";
import type { Study, StudyContext } from "../../core/study.js";
import {
  type Dataset,
  logLogFit,
  type RateJob,
  type RateRecord,
  type StoppingResult,
  stoppingExperiment,
  type WidthRow,
  widthExperiment,
} from "./experiments.js";
import { buildReport } from "./report.js";

export * from "./kernel.js";
export * from "./kernel-gd.js";
export * from "./network.js";

const datasetSchema = z.enum(["uniform", "projected-normal", "mnist"]);

const configSchema = z.object({
  /** Dimension d of the sphere S^{d-1} for the synthetic data. */
  dim: z.number().int().min(2).max(50).default(4),
  /** Label noise standard deviation sigma0 (also in eps_n and T_hat). */
  sigma0: z.number().gt(0).default(0.5),
  /** Constant GD step size eta (the paper takes eta in [1, 2)). */
  eta: z.number().gt(0).lt(2).default(1),
  /** Initial weight scale: w_r ~ N(0, kappa^2 I). */
  kappa: z.number().gt(0).default(1),
  /** Network width m in the rate experiment (even). */
  width: z.number().int().min(2).default(1024),
  testPoints: z.number().int().min(10).default(4000),
  /** Number of kernel sections K(., z_j) in the target. */
  sections: z.number().int().min(1).default(10),
  sizes: z
    .array(z.number().int().min(10).max(6000))
    .min(1)
    .default([100, 200, 400, 800, 1600, 3200]),
  repeats: z.number().int().min(1).default(3),
  datasets: z.array(datasetSchema).min(1).default(["uniform", "projected-normal", "mnist"]),
  /** Dimension of the fixed random projection of MNIST pixels before normalising. */
  mnistDim: z.number().int().min(2).max(MNIST_PIXELS).default(20),
  /** n for the test-error-against-steps curve. */
  stopSize: z.number().int().min(10).max(6000).default(800),
  /** The network curve runs to horizon x T_hat steps. */
  stopHorizon: z.number().gt(1).default(10),
  widthSize: z.number().int().min(10).max(2000).default(200),
  widths: z.array(z.number().int().min(2)).min(2).default([64, 256, 1024, 4096, 16384]),
  /** Worker threads for the rate jobs (0: in this thread); results do not depend on it. */
  workers: z.number().int().min(0).max(64).default(0),
});

export type Config = z.infer<typeof configSchema>;

export interface RateRow {
  dataset: Dataset;
  method: "network" | "ntk-gd" | "krr" | "eps2";
  slope: number;
  intercept: number;
}

export interface Summary {
  rates: RateRow[];
  stopping: StoppingResult;
  widthAgreement: WidthRow[];
  /** Theory for uniform covariates: risk ~ n^(-d/(2d-1)), T_hat ~ n^(d/(2d-1)). */
  theorySlope: number;
  /** Fitted log-log slope of T_hat against n (uniform data). */
  stepSlope: number;
  /** Fitted log-log slope of the kernel sup distance against the width. */
  widthSlope: number;
  /** Mean over repeats per data set and n. */
  means: Omit<RateRecord, "repeat">[];
}

const METHODS = ["network", "ntk-gd", "krr", "eps2"] as const;
const FIELD = { network: "network", "ntk-gd": "ntkGd", krr: "krr", eps2: "eps2" } as const;

function checkConfig(config: Config): void {
  const odd = [config.width, ...config.widths].find((w) => w % 2 !== 0);
  if (odd !== undefined) {
    throw new UsageError(`widths must be even (units come in symmetric pairs), got ${odd}`);
  }
  const largest = Math.max(...config.sizes);
  if (config.datasets.includes("mnist") && largest + config.testPoints > 10000) {
    throw new UsageError(
      `MNIST has 10000 digits: the largest size (${largest}) plus testPoints ` +
        `(${config.testPoints}) must not exceed it; lower one of them`,
    );
  }
  if (new Set(config.sizes).size < 2) {
    throw new UsageError("sizes needs at least two different n to fit a slope");
  }
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

async function run(config: Config, ctx: StudyContext): Promise<Summary> {
  checkConfig(config);
  const settings = { ...config, seed: ctx.seed };
  const jobs: RateJob[] = config.datasets.flatMap((dataset) =>
    config.sizes.flatMap((n) =>
      Array.from({ length: config.repeats }, (_, repeat) => ({
        seed: ctx.seed,
        label: `rates-${dataset}-${n}-${repeat}`,
        dataset,
        n,
        repeat,
        settings,
      })),
    ),
  );
  const module = fileURLToPath(new URL("./experiments.ts", import.meta.url));
  // Larger jobs first, so that workers finish together.
  const order = jobs.map((_, i) => i).sort((a, b) => jobs[b].n - jobs[a].n);
  const records: RateRecord[] = new Array(jobs.length);
  let done = 0;
  await withExecutor(config.workers, async (executor) => {
    const batch = Math.max(1, executor.parallelism);
    for (let start = 0; start < order.length; start += batch) {
      const slice = order.slice(start, start + batch);
      const job = jobs[slice[0]];
      ctx.progress({
        stage: "rates",
        done,
        total: jobs.length,
        message: `${job.dataset} n=${job.n}`,
      });
      const results = await executor.map<RateJob, RateRecord>(
        slice.map((i) => ({ module, fn: "rateJob", input: jobs[i] })),
      );
      slice.forEach((i, j) => {
        records[i] = results[j];
        ctx.metric({ kind: "rate", ...results[j] });
      });
      done += slice.length;
    }
  });
  ctx.progress({ stage: "rates", done: jobs.length, total: jobs.length });

  const means: Summary["means"] = [];
  for (const dataset of config.datasets) {
    for (const n of config.sizes) {
      const group = records.filter((r) => r.dataset === dataset && r.n === n);
      means.push({
        dataset,
        n,
        eps2: mean(group.map((r) => r.eps2)),
        predictedStep: mean(group.map((r) => r.predictedStep)),
        network: mean(group.map((r) => r.network)),
        ntkGd: mean(group.map((r) => r.ntkGd)),
        krr: mean(group.map((r) => r.krr)),
      });
    }
  }
  const rates: RateRow[] = config.datasets.flatMap((dataset) => {
    const rows = means.filter((r) => r.dataset === dataset);
    return METHODS.map((method) => ({
      dataset,
      method,
      ...logLogFit(
        rows.map((r) => r.n),
        rows.map((r) => r[FIELD[method]]),
      ),
    }));
  });
  const uniformRows = means.filter((r) => r.dataset === config.datasets[0]);

  const stopping = stoppingExperiment(
    ctx.rng.fork("stopping"),
    config.stopSize,
    config.stopHorizon,
    settings,
    ctx.metric,
    ctx.progress,
  );
  const widthAgreement = widthExperiment(
    ctx.rng.fork("widths"),
    config.widthSize,
    config.widths,
    settings,
    ctx.progress,
  );
  for (const row of widthAgreement) ctx.metric({ kind: "width", ...row });

  return {
    rates,
    stopping,
    widthAgreement,
    theorySlope: -config.dim / (2 * config.dim - 1),
    stepSlope: logLogFit(
      uniformRows.map((r) => r.n),
      uniformRows.map((r) => Math.max(r.predictedStep, 1)),
    ).slope,
    widthSlope: logLogFit(
      widthAgreement.map((r) => r.width),
      widthAgreement.map((r) => r.kernelDistance),
    ).slope,
    means,
  };
}

export const study: Study<Config, Summary> = {
  name: "ntk-regression",
  summary:
    "Early-stopped GD on a wide two-layer ReLU net matches NTK regression with a data-driven stopping rule",
  paper:
    "Yingzhen Yang, Ping Li: Gradient Descent Finds Over-Parameterized Neural Networks with Sharp " +
    "Generalization for Nonparametric Regression (arXiv 2411.02904)",
  config: configSchema,
  presets: {
    quick: {
      sizes: [100, 200, 400],
      repeats: 2,
      width: 512,
      testPoints: 1000,
      stopSize: 400,
      stopHorizon: 5,
      widthSize: 150,
      widths: [64, 256, 1024, 4096],
    },
    full: {},
  },
  run,
  report: buildReport,
};
