// Study: lightweight federated split learning (Zhang, Ni, Wang) on MNIST:
// split training with dynamic pruning of the client part, quantised
// split-layer gradients and split-layer dropout, priced by our wireless cost
// model, against its ablations and plain federated averaging.
import { z } from "zod";
import { loadMnist } from "../../core/data/mnist.js";
import { UsageError } from "../../core/errors.js";
import { withExecutor } from "../../core/executor.js";
import { Rng } from "../../core/rng.js";
import type { Study } from "../../core/study.js";
import { defaultCost } from "./cost.js";
import { partition } from "./data.js";
import { fedslReport } from "./report.js";
import { type FedData, runVariant, type Setup, type Variant, type VariantName } from "./train.js";

export const configSchema = z.object({
  clients: z.number().int().min(1).max(100).default(10),
  partition: z.enum(["dirichlet", "iid"]).default("dirichlet"),
  dirichletAlpha: z.number().gt(0).default(0.5),
  /** Also run every variant on an IID split. */
  alsoIid: z.boolean().default(true),
  trainCount: z.number().int().min(10).max(9000).default(8000),
  testCount: z.number().int().min(10).max(2000).default(2000),
  /** Layer widths, input first (784) and classes last (10). */
  widths: z.array(z.number().int().min(1).max(2048)).min(3).default([784, 128, 64, 10]),
  /** Layers on the client side; the grid also runs `altSplit`. */
  split: z.number().int().min(1).default(1),
  altSplit: z.number().int().min(1).default(2),
  batchSize: z.number().int().min(1).max(1024).default(32),
  rounds: z.number().int().min(1).default(200),
  learningRate: z.number().gt(0).default(0.1),
  evalEvery: z.number().int().min(1).default(10),
  /** The full scheme's settings (the ablations switch one off). */
  rho: z.number().min(0).max(0.99).default(0.5),
  bits: z.number().int().min(2).max(32).default(8),
  dropout: z.number().min(0).max(0.9).default(0.2),
  aggregateEvery: z.number().int().min(1).default(5),
  /** One-at-a-time sweeps around the full scheme, for both split points. */
  grid: z.boolean().default(true),
  gridRho: z.array(z.number().min(0).max(0.99)).default([0, 0.3, 0.5, 0.7]),
  gridBits: z.array(z.number().int().min(2).max(32)).default([4, 8, 16, 32]),
  gridDropout: z.array(z.number().min(0).max(0.9)).default([0, 0.2, 0.5]),
  gridAggregateEvery: z.array(z.number().int().min(1)).default([1, 5, 10]),
  /** Cost model constants (our choice; see the report). */
  bandwidthHz: z.number().gt(0).default(defaultCost.bandwidthHz),
  clientPowerW: z.number().gt(0).default(defaultCost.clientPowerW),
  serverPowerW: z.number().gt(0).default(defaultCost.serverPowerW),
  clientHz: z.number().gt(0).default(defaultCost.clientHz),
  serverHz: z.number().gt(0).default(defaultCost.serverHz),
  flopsPerCycle: z.number().gt(0).default(defaultCost.flopsPerCycle),
  kappa: z.number().gt(0).default(defaultCost.kappa),
  /** Executor: 0 runs clients in-process, N > 0 on N worker threads (same numbers). */
  workers: z.number().int().min(0).max(64).default(0),
});

export type FedslConfig = z.infer<typeof configSchema>;

export interface RunRow {
  variant: VariantName;
  partition: "dirichlet" | "iid";
  split: number;
  rho: number;
  bits: number;
  dropout: number;
  aggregateEvery: number;
  accuracy: number;
  uplinkBits: number;
  latencySeconds: number;
  energyJoules: number;
}

export interface GridRow extends Omit<RunRow, "variant"> {
  sweep: "rho" | "bits" | "dropout" | "aggregateEvery";
}

export interface FedslSummary {
  runs: RunRow[];
  grid: GridRow[];
  dropoutNote: string;
  executor: string;
}

/** The full scheme and its ablations for the configured settings. */
export function variants(config: FedslConfig, split: number): Variant[] {
  const full = {
    split,
    rho: config.rho,
    bits: config.bits,
    dropout: config.dropout,
    aggregateEvery: config.aggregateEvery,
  };
  return [
    { variant: "full", ...full },
    { variant: "no-pruning", ...full, rho: 0 },
    { variant: "no-quantisation", ...full, bits: 32 },
    { variant: "no-dropout", ...full, dropout: 0 },
    { variant: "plain-fedsl", ...full, rho: 0, bits: 32, dropout: 0 },
    // federated averaging keeps every layer on the client
    { variant: "fedavg", ...full, split: config.widths.length - 1, rho: 0, bits: 32, dropout: 0 },
  ];
}

export const study: Study<FedslConfig, FedslSummary> = {
  name: "fedsl",
  summary:
    "Lightweight federated split learning: pruning, quantised gradients and activation dropout against latency and energy",
  paper:
    "Zhang, Ni, Wang: lightweight federated split learning with dynamic pruning, gradient quantisation and activation dropout",
  config: configSchema,
  presets: {
    quick: {
      clients: 4,
      alsoIid: false,
      trainCount: 2000,
      testCount: 500,
      widths: [784, 32, 16, 10],
      rounds: 40,
      evalEvery: 5,
      grid: false,
    },
    full: {},
  },
  async run(config, ctx) {
    const layers = config.widths.length - 1;
    for (const split of [config.split, ...(config.grid ? [config.altSplit] : [])]) {
      if (split >= layers) {
        throw new UsageError(
          `split ${split} leaves no layer on the server: use a split below ${layers} for widths ${config.widths.join("-")}`,
        );
      }
    }
    if (config.widths[0] !== 784 || config.widths[layers] !== 10) {
      throw new UsageError(
        `widths must start with 784 (MNIST pixels) and end with 10 (classes), got ${config.widths.join("-")}`,
      );
    }
    const mnist = loadMnist({ seed: ctx.seed, train: config.trainCount, test: config.testCount });
    const setup: Setup = {
      widths: config.widths,
      batchSize: config.batchSize,
      rounds: config.rounds,
      learningRate: config.learningRate,
      evalEvery: config.evalEvery,
      seed: ctx.rng.fork("training").nextU32(),
      cost: {
        ...defaultCost,
        bandwidthHz: config.bandwidthHz,
        clientPowerW: config.clientPowerW,
        serverPowerW: config.serverPowerW,
        clientHz: config.clientHz,
        serverHz: config.serverHz,
        flopsPerCycle: config.flopsPerCycle,
        kappa: config.kappa,
      },
    };
    const partitions = [
      config.partition,
      ...(config.alsoIid && config.partition !== "iid" ? (["iid"] as const) : []),
    ];
    const dataFor = (scheme: "dirichlet" | "iid"): FedData => ({
      images: mnist.train.images,
      labels: mnist.train.labels,
      features: mnist.train.features,
      parts: partition(
        mnist.train.labels,
        config.clients,
        scheme,
        config.dirichletAlpha,
        new Rng(ctx.seed).fork(`partition-${scheme}`),
      ),
      test: mnist.test,
    });

    const gridVariants: { sweep: GridRow["sweep"]; v: Variant }[] = [];
    if (config.grid) {
      for (const split of [config.split, config.altSplit]) {
        const base = variants(config, split)[0];
        for (const rho of config.gridRho) gridVariants.push({ sweep: "rho", v: { ...base, rho } });
        for (const bits of config.gridBits)
          gridVariants.push({ sweep: "bits", v: { ...base, bits } });
        for (const dropout of config.gridDropout)
          gridVariants.push({ sweep: "dropout", v: { ...base, dropout } });
        for (const aggregateEvery of config.gridAggregateEvery)
          gridVariants.push({ sweep: "aggregateEvery", v: { ...base, aggregateEvery } });
      }
    }
    const jobs = partitions.length * 6 + gridVariants.length;
    let job = 0;

    return withExecutor(config.workers, async (executor) => {
      const run = async (v: Variant, scheme: "dirichlet" | "iid", label: string, data: FedData) => {
        const result = await runVariant(
          v,
          setup,
          data,
          executor,
          (point) => ctx.metric({ ...point, variant: label, partition: scheme, split: v.split }),
          (round) =>
            ctx.progress({
              stage: `${label} (${scheme}) ${job + 1}/${jobs}`,
              done: round,
              total: config.rounds,
            }),
        );
        job++;
        return {
          partition: scheme,
          split: v.split,
          rho: v.rho,
          bits: v.bits,
          dropout: v.dropout,
          aggregateEvery: v.aggregateEvery,
          accuracy: result.accuracy,
          uplinkBits: result.uplinkBits,
          latencySeconds: result.latencySeconds,
          energyJoules: result.energyJoules,
        };
      };
      const runs: RunRow[] = [];
      for (const scheme of partitions) {
        const data = dataFor(scheme);
        for (const v of variants(config, config.split))
          runs.push({ variant: v.variant, ...(await run(v, scheme, v.variant, data)) });
      }
      const grid: GridRow[] = [];
      const gridData = dataFor(config.partition);
      for (const { sweep, v } of gridVariants) {
        grid.push({ sweep, ...(await run(v, config.partition, `grid-${sweep}`, gridData)) });
      }
      return {
        runs,
        grid,
        dropoutNote:
          "split-layer dropout is inverted: survivors are scaled by 1/(1-p) in training, nothing is dropped at test time",
        executor: executor.kind,
      };
    });
  },
  report: fedslReport,
};
