// Study: Local-GD with many local steps (Zhu, Vardhan, Mazumdar). Over-
// parameterised linear regression and classification across heterogeneous
// clients, the under-parameterised control, MNIST label skew, our modified
// Local-GD, and last-layer fine-tuning of a pre-trained MLP.
import { z } from "zod";
import { UsageError } from "../../core/errors.js";
import { withExecutor } from "../../core/executor.js";
import type { Study } from "../../core/study.js";
import { mnistClients, syntheticClients } from "./data.js";
import {
  type ClassificationRow,
  classificationExperiment,
  type FinetuneRow,
  finetuneExperiment,
  type MaxMarginCheck,
  type RegressionRow,
  regressionExperiment,
  type Sinks,
} from "./experiments.js";
import { finetuneData } from "./finetune.js";
import { localGdReport } from "./report.js";

const steps = z.array(z.number().int().min(1).max(100_000)).min(1);

export const configSchema = z.object({
  dimension: z.number().int().min(2).max(5000).default(200),
  clients: z.number().int().min(1).max(100).default(5),
  samplesPerClient: z.number().int().min(1).max(1000).default(10),
  meanShift: z.number().min(0).default(1),
  scaleSpread: z.number().min(0).max(3).default(0.5),
  noise: z.number().min(0).default(0.1),
  /** Dimension of the under-parameterised control (fewer unknowns than samples). */
  underDimension: z.number().int().min(1).default(20),
  localSteps: steps.default([1, 10, 100, 1000]),
  /** eta = stepFactor / largest local Hessian eigenvalue; below 2 for stability. */
  stepFactor: z.number().gt(0).lt(2).default(1),
  weighting: z.enum(["uniform", "data-size"]).default("uniform"),
  maxRounds: z.number().int().min(1).default(3000),
  targetRelDistance: z.number().gt(0).default(1e-10),
  classificationRounds: z.number().int().min(1).default(300),
  /** Our modified Local-GD: lambda of the local problem, multiplied by lambdaDecay each round. */
  lambda: z.number().gt(0).default(0.01),
  lambdaDecay: z.number().gt(0).max(1).default(0.2),
  lambdaFloor: z.number().gt(0).default(1e-250),
  newtonTolerance: z.number().gt(0).default(1e-10),
  mnist: z.boolean().default(true),
  mnistClients: z.number().int().min(1).max(10).default(5),
  mnistSamplesPerClient: z.number().int().min(1).max(150).default(20),
  /** Round caps on MNIST pixels, whose Gram matrix is ill-conditioned (slow for few local steps). */
  mnistMaxRounds: z.number().int().min(1).default(2000),
  mnistClassificationRounds: z.number().int().min(1).default(300),
  finetune: z.boolean().default(true),
  pretrainCount: z.number().int().min(10).max(4000).default(2000),
  pretrainSteps: z.number().int().min(1).default(300),
  hidden: z.number().int().min(1).max(512).default(64),
  finetuneClients: z.number().int().min(1).max(10).default(5),
  finetuneSamplesPerClient: z.number().int().min(1).max(600).default(100),
  finetuneRounds: z.number().int().min(1).default(100),
  finetuneLocalSteps: steps.default([1, 10, 100]),
  finetuneL2: z.number().min(0).default(1e-3),
  testCount: z.number().int().min(10).max(2000).default(1000),
  /** Executor: 0 runs clients in-process, N > 0 on N worker threads (same numbers). */
  workers: z.number().int().min(0).max(64).default(0),
});

export type LocalGdConfig = z.infer<typeof configSchema>;

export interface LocalGdSummary {
  regression: RegressionRow[];
  classification: ClassificationRow[];
  maxMargin: MaxMarginCheck[];
  finetune: FinetuneRow[];
  pretrainedAccuracy: number | null;
  learningRateNote: string;
  executor: string;
}

/** The experiments' premises, checked before any work: over-parameterised where claimed, separable MNIST. */
export function checkShapes(config: LocalGdConfig): void {
  const total = config.clients * config.samplesPerClient;
  if (config.dimension <= total) {
    throw new UsageError(
      `dimension (${config.dimension}) must exceed clients x samplesPerClient (${total}) for the over-parameterised problems: raise dimension or lower samplesPerClient`,
    );
  }
  if (config.underDimension >= total) {
    throw new UsageError(
      `underDimension (${config.underDimension}) must be below clients x samplesPerClient (${total}) for the under-parameterised control: lower it`,
    );
  }
  const mnistTotal = config.mnistClients * config.mnistSamplesPerClient;
  if (config.mnist && mnistTotal >= 784) {
    throw new UsageError(
      `mnistClients x mnistSamplesPerClient (${mnistTotal}) must be below 784 pixels so the MNIST problem is over-parameterised: lower one of them`,
    );
  }
}

export const study: Study<LocalGdConfig, LocalGdSummary> = {
  name: "local-gd",
  summary:
    "Local-GD with many local steps reaches the centralised min-norm solution; our modified Local-GD the max-margin direction",
  paper:
    "Zhu, Vardhan, Mazumdar: Local gradient descent with many local steps in over-parameterised models (heterogeneous data)",
  config: configSchema,
  presets: {
    quick: {
      classificationRounds: 100,
      maxRounds: 2500,
      pretrainCount: 1000,
      mnistMaxRounds: 100,
      mnistClassificationRounds: 60,
      pretrainSteps: 60,
      hidden: 32,
      finetuneSamplesPerClient: 40,
      finetuneRounds: 30,
      testCount: 500,
    },
    full: {},
  },
  async run(config, ctx) {
    checkShapes(config);
    return withExecutor(config.workers, async (executor) => {
      const sinks: Sinks = { executor, metric: ctx.metric, progress: ctx.progress };
      const common = {
        localSteps: config.localSteps,
        stepFactor: config.stepFactor,
        weighting: config.weighting,
      };
      const synthetic = {
        dimension: config.dimension,
        clients: config.clients,
        samplesPerClient: config.samplesPerClient,
        meanShift: config.meanShift,
        scaleSpread: config.scaleSpread,
        noise: config.noise,
      };
      const regressionOptions = {
        ...common,
        maxRounds: config.maxRounds,
        target: config.targetRelDistance,
      };

      const regression: RegressionRow[] = [];
      regression.push(
        ...(await regressionExperiment(
          "synthetic",
          syntheticClients({ ...synthetic, task: "regression" }, ctx.rng.fork("regression")),
          regressionOptions,
          sinks,
        )),
      );
      regression.push(
        ...(await regressionExperiment(
          "under-parameterised",
          syntheticClients(
            { ...synthetic, dimension: config.underDimension, task: "regression" },
            ctx.rng.fork("control"),
          ),
          regressionOptions,
          sinks,
        )),
      );

      const classificationOptions = {
        ...common,
        rounds: config.classificationRounds,
        lambda: config.lambda,
        lambdaDecay: config.lambdaDecay,
        lambdaFloor: config.lambdaFloor,
        newtonTolerance: config.newtonTolerance,
      };
      const synth = await classificationExperiment(
        "synthetic",
        syntheticClients({ ...synthetic, task: "classification" }, ctx.rng.fork("classification")),
        classificationOptions,
        sinks,
      );
      const classification = [...synth.rows];
      const maxMargin = [synth.check];

      if (config.mnist) {
        const mnist = {
          clients: config.mnistClients,
          samplesPerClient: config.mnistSamplesPerClient,
          classesPerClient: 2,
          seed: ctx.seed,
        };
        regression.push(
          ...(await regressionExperiment(
            "mnist",
            mnistClients({ ...mnist, task: "regression" }),
            { ...regressionOptions, maxRounds: config.mnistMaxRounds },
            sinks,
          )),
        );
        const out = await classificationExperiment(
          "mnist",
          mnistClients({ ...mnist, task: "classification" }),
          { ...classificationOptions, rounds: config.mnistClassificationRounds },
          sinks,
        );
        classification.push(...out.rows);
        maxMargin.push(out.check);
      }

      let finetune: FinetuneRow[] = [];
      let pretrainedAccuracy: number | null = null;
      if (config.finetune) {
        ctx.progress({ stage: "pre-train MLP", done: 0, total: 1 });
        const data = finetuneData(
          {
            pretrainCount: config.pretrainCount,
            pretrainSteps: config.pretrainSteps,
            hidden: config.hidden,
            clients: config.finetuneClients,
            samplesPerClient: config.finetuneSamplesPerClient,
            testCount: config.testCount,
            seed: ctx.seed,
          },
          ctx.rng.fork("finetune"),
        );
        const out = await finetuneExperiment(
          data,
          {
            localSteps: config.finetuneLocalSteps,
            rounds: config.finetuneRounds,
            l2: config.finetuneL2,
            stepFactor: config.stepFactor,
            weighting: config.weighting,
          },
          sinks,
        );
        finetune = out.rows;
        pretrainedAccuracy = out.pretrainedAccuracy;
      }

      return {
        regression,
        classification,
        maxMargin,
        finetune,
        pretrainedAccuracy,
        learningRateNote: `eta = ${config.stepFactor} / max_i lambda_max(X_i^T X_i / n_i) (x4 for the logistic loss, x2 for softmax)`,
        executor: executor.kind,
      };
    });
  },
  report: localGdReport,
};
