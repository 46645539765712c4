// The edge-of-stability study: GD past 2/L on a diagonal linear network and on
// a tanh MLP trained on MNIST, with sharpness tracked along the way.
import { z } from "zod";
import { loadMnist, oneHot } from "../../core/data/mnist.js";
import { minimumL1Interpolator } from "../../core/lp.js";
import type { MetricRecord, Study } from "../../core/study.js";
import {
  beta,
  flattestInterpolatorSharpness,
  interpolationDistance,
  runDiagonalGd,
  sharpness,
  sparseRegression,
} from "./diagonal.js";
import { runMlpGd } from "./mlp.js";
import { eosReport } from "./report.js";

const diagonalConfig = z
  .object({
    n: z.number().int().positive().default(20),
    d: z.number().int().positive().default(100),
    support: z.number().int().positive().default(3),
    alpha: z.number().positive().default(0.01),
    /** Step sizes as multiples c of 2 / S0 (S0 = sharpness at initialisation). */
    multipliers: z.array(z.number().positive()).default([0.5, 0.8, 0.9, 1.0]),
    /** A multiplier past the divergence threshold, run to show divergence. */
    divergentMultiplier: z.number().positive().default(1.5),
    /** A small step that follows gradient flow closely. */
    smallMultiplier: z.number().positive().default(0.05),
    steps: z.number().int().positive().default(20000),
    smallSteps: z.number().int().positive().default(100000),
    sharpnessEvery: z.number().int().positive().default(50),
    /** Sharpness at every step before this one: the overshoot above 2/eta comes in the first ~20 steps. */
    denseSharpnessSteps: z.number().int().nonnegative().default(300),
    /** Samples for the control run with n >= d (no over-parameterisation). */
    controlN: z.number().int().positive().default(150),
    logEvery: z.number().int().positive().default(10),
  })
  .superRefine((c, ctx) => {
    const issue = (path: string, message: string) =>
      ctx.addIssue({ code: "custom", path: [path], message });
    if (c.multipliers.length === 0)
      issue("multipliers", "give at least one step-size multiplier, e.g. [0.5, 1]");
    if (new Set(c.multipliers).size !== c.multipliers.length)
      issue(
        "multipliers",
        `multipliers must be distinct (runs are labelled by them): ${c.multipliers.join(", ")}`,
      );
    if (c.multipliers.includes(c.divergentMultiplier))
      issue(
        "divergentMultiplier",
        `divergentMultiplier ${c.divergentMultiplier} is already in multipliers; pick another`,
      );
    if (c.multipliers.includes(c.smallMultiplier) || c.smallMultiplier === c.divergentMultiplier)
      issue(
        "smallMultiplier",
        `smallMultiplier ${c.smallMultiplier} is already used by another run; pick another`,
      );
    if (c.support > c.d) issue("support", `support ${c.support} exceeds the dimension d = ${c.d}`);
    if (c.controlN < c.d)
      issue(
        "controlN",
        `controlN ${c.controlN} must be at least d = ${c.d} (the control has no over-parameterisation)`,
      );
  });

const mlpConfig = z.object({
  enabled: z.boolean().default(true),
  examples: z
    .number()
    .int()
    .positive()
    .max(10000, "MNIST has 10,000 digits: use at most 10000 examples")
    .default(1000),
  hidden: z.array(z.number().int().positive()).default([200, 200]),
  stepSizes: z.array(z.number().positive()).default([0.02, 0.1, 0.15]),
  steps: z.number().int().positive().default(1000),
  sharpnessEvery: z.number().int().positive().default(25),
  powerIterations: z.number().int().positive().default(20),
});

export const eosConfig = z.object({
  diagonal: diagonalConfig.default(diagonalConfig.parse({})),
  mlp: mlpConfig.default(mlpConfig.parse({})),
});
export type EosConfig = z.infer<typeof eosConfig>;

export interface RunSummary {
  part: "diagonal" | "mlp";
  label: string;
  stepSize: number;
  twoOverEta: number;
  multiplier?: number;
  steps: number;
  diverged: boolean;
  /** Sharpness at step 0. */
  sharpnessInitial: number;
  sharpnessMax: number;
  /** The step at which `sharpnessMax` was measured. */
  sharpnessMaxStep: number;
  /** MLP only: the largest sharpness measured after step 0. */
  sharpnessMaxAfterStart?: number;
  /** Mean sharpness over the measurements in the last 10% of the run's steps. */
  sharpnessFinalMean: number;
  lossInitial: number;
  lossFinal: number;
  monotoneLoss: boolean;
  interpolationError?: number;
  l1Norm?: number;
  accuracy?: number;
}

export interface EosSummary {
  diagonal: {
    n: number;
    d: number;
    s0: number;
    l1NormMinimum: number;
    runs: RunSummary[];
    smallStep: RunSummary;
    controlN: number;
    controlS0: number;
    /** The lowest sharpness of any parameters that interpolate the control data. */
    controlInterpolatorSharpness: number;
    control: RunSummary[];
  };
  mlp: { examples: number; widths: number[]; runs: RunSummary[] } | null;
}

/** True when the loss never rises by more than 1e-9 relative while above 1e-20. */
export function isMonotone(losses: number[]): boolean {
  for (let i = 1; i < losses.length; i++) {
    if (losses[i - 1] > 1e-20 && losses[i] > losses[i - 1] * (1 + 1e-9)) return false;
  }
  return true;
}

/** Mean of the measurements taken in the last 10% of `steps` (the last one if none). */
export function finalMean(values: { step: number; value: number }[], steps: number): number {
  const tail = values.filter((s) => s.step >= 0.9 * steps);
  const used = tail.length ? tail : values.slice(-1);
  return used.reduce((a, s) => a + s.value, 0) / used.length;
}

/** The largest measurement and its step (a loop: spreading long arrays overflows the stack). */
export function maxMeasurement(values: { step: number; value: number }[]): {
  step: number;
  value: number;
} {
  let best = { step: Number.NaN, value: Number.NaN };
  for (const s of values) if (!(s.value <= best.value)) best = s;
  return best;
}

export const study: Study<EosConfig, EosSummary> = {
  name: "eos",
  summary: "Gradient descent at the edge of stability: sharpness rises to 2/eta and hovers there.",
  paper:
    "Zhang and Karbasi, 'Criteria and Bias of Parameterized Linear Regression under Edge of Stability Regime'; Cohen et al., 'Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability' (ICLR 2021)",
  config: eosConfig,
  presets: {
    quick: {
      // dense sampling over the first 200 steps catches the early overshoot; every 50
      // steps afterwards (as the numpy check did) keeps the quick preset's time unchanged
      diagonal: { steps: 10000, smallSteps: 40000, sharpnessEvery: 50, denseSharpnessSteps: 200 },
      mlp: {
        examples: 500,
        hidden: [100, 100],
        stepSizes: [0.02, 0.15],
        steps: 300,
        sharpnessEvery: 30,
        powerIterations: 12,
      },
    },
    full: {},
  },
  async run(config, ctx) {
    const dc = config.diagonal;
    const problem = sparseRegression(dc.n, dc.d, dc.support, ctx.rng.fork("diagonal-data"));
    const start = new Float64Array(2 * dc.d).fill(dc.alpha);
    const s0 = sharpness(problem, start, ctx.rng.fork("s0"), 60);
    const l1Min = minimumL1Interpolator(problem.x, problem.y, dc.n, dc.d).reduce(
      (a, v) => a + Math.abs(v),
      0,
    );

    const diagonalRun = (
      label: string,
      p: typeof problem,
      sharpness0: number,
      multiplier: number,
      steps: number,
      every: number,
    ): RunSummary => {
      const stepSize = (multiplier * 2) / sharpness0;
      const run = runDiagonalGd(p, {
        alpha: dc.alpha,
        stepSize,
        steps,
        sharpnessEvery: every,
        denseSharpnessSteps: dc.denseSharpnessSteps,
        rng: ctx.rng.fork(`diagonal-${label}`),
        onStep(step, loss, sharp) {
          if (step % dc.logEvery === 0 || sharp !== null) {
            ctx.metric({
              part: "diagonal",
              run: label,
              step,
              loss,
              ...(sharp !== null ? { sharpness: sharp } : {}),
            });
          }
          if (step % 1000 === 0)
            ctx.progress({ stage: `diagonal ${label}`, done: step, total: steps });
        },
      });
      ctx.progress({
        stage: `diagonal ${label}`,
        // a diverged run ends its stage at the step where it stopped
        done: run.steps,
        total: run.diverged ? run.steps : steps,
        ...(run.diverged ? { message: `diverged after ${run.steps} of ${steps} steps` } : {}),
      });
      const b = beta(run.finalParams, p.d);
      const top = maxMeasurement(run.sharpness);
      return {
        part: "diagonal",
        label,
        multiplier,
        stepSize,
        twoOverEta: 2 / stepSize,
        steps: run.steps,
        diverged: run.diverged,
        sharpnessInitial: run.sharpness[0].value,
        sharpnessMax: top.value,
        sharpnessMaxStep: top.step,
        sharpnessFinalMean: finalMean(run.sharpness, run.steps),
        lossInitial: run.losses[0],
        lossFinal: run.losses[run.losses.length - 1],
        monotoneLoss: isMonotone(run.losses),
        // the distance to the nearest interpolator is defined for n <= d only
        interpolationError:
          p.n <= p.d && !run.diverged ? interpolationDistance(p, run.finalParams) : undefined,
        l1Norm: run.diverged ? undefined : b.reduce((a, v) => a + Math.abs(v), 0),
      };
    };

    const runs = [...dc.multipliers, dc.divergentMultiplier].map((c) =>
      diagonalRun(`c=${c}`, problem, s0, c, dc.steps, dc.sharpnessEvery),
    );
    const smallStep = diagonalRun(
      `c=${dc.smallMultiplier}`,
      problem,
      s0,
      dc.smallMultiplier,
      dc.smallSteps,
      dc.sharpnessEvery * 10,
    );

    // n >= d: the same model without over-parameterisation; its one interpolator has a
    // fixed sharpness, so GD cannot move to a flatter one as steps grow
    const controlProblem = sparseRegression(
      dc.controlN,
      dc.d,
      dc.support,
      ctx.rng.fork("control-data"),
    );
    const controlS0 = sharpness(controlProblem, start, ctx.rng.fork("control-s0"), 60);
    const controlFloor = flattestInterpolatorSharpness(
      controlProblem,
      ctx.rng.fork("control-floor"),
    ).sharpness;
    const control = [0.5, 0.9, 1.0].map((c) =>
      diagonalRun(`control c=${c}`, controlProblem, controlS0, c, dc.steps, dc.sharpnessEvery),
    );

    let mlp: EosSummary["mlp"] = null;
    const mc = config.mlp;
    if (mc.enabled) {
      const { train } = loadMnist({ seed: ctx.seed, train: mc.examples, test: 0 });
      const images = standardise(train.images, train.count, train.features);
      const widths = [train.features, ...mc.hidden, 10];
      const mlpRuns: RunSummary[] = [];
      for (const eta of mc.stepSizes) {
        const label = `eta=${eta}`;
        const run = runMlpGd({
          widths,
          images,
          targets: oneHot(train.labels),
          labels: train.labels,
          count: train.count,
          stepSize: eta,
          steps: mc.steps,
          sharpnessEvery: mc.sharpnessEvery,
          powerIterations: mc.powerIterations,
          rng: ctx.rng.fork("mlp"),
          onStep(step, loss, sharp) {
            const record: MetricRecord = { part: "mlp", run: label, step, loss };
            if (sharp !== null) record.sharpness = sharp;
            ctx.metric(record);
            ctx.progress({ stage: `mlp ${label}`, done: step + 1, total: mc.steps });
          },
        });
        if (run.diverged)
          ctx.progress({
            stage: `mlp ${label}`,
            done: run.losses.length,
            total: run.losses.length,
            message: `diverged after ${run.losses.length} of ${mc.steps} steps`,
          });
        const top = maxMeasurement(run.sharpness);
        mlpRuns.push({
          part: "mlp",
          label,
          stepSize: eta,
          twoOverEta: 2 / eta,
          steps: run.losses.length,
          diverged: run.diverged,
          sharpnessInitial: run.sharpness[0].value,
          sharpnessMax: top.value,
          sharpnessMaxStep: top.step,
          sharpnessMaxAfterStart: maxMeasurement(run.sharpness.filter((s) => s.step > 0)).value,
          sharpnessFinalMean: finalMean(run.sharpness, run.losses.length),
          lossInitial: run.losses[0],
          lossFinal: run.losses[run.losses.length - 1],
          monotoneLoss: isMonotone(run.losses),
          accuracy: run.accuracies.length
            ? run.accuracies[run.accuracies.length - 1].value
            : undefined,
        });
      }
      mlp = { examples: train.count, widths, runs: mlpRuns };
    }
    return {
      diagonal: {
        n: dc.n,
        d: dc.d,
        s0,
        l1NormMinimum: l1Min,
        runs,
        smallStep,
        controlN: dc.controlN,
        controlS0,
        controlInterpolatorSharpness: controlFloor,
        control,
      },
      mlp,
    };
  },
  report: eosReport,
};

/** Centres each pixel on its mean and scales all pixels to unit variance. */
export function standardise(images: Float32Array, count: number, features: number): Float32Array {
  const mean = new Float64Array(features);
  for (let i = 0; i < count; i++)
    for (let j = 0; j < features; j++) mean[j] += images[i * features + j] / count;
  const out = new Float32Array(images.length);
  let sumSquares = 0;
  for (let i = 0; i < images.length; i++) {
    out[i] = images[i] - mean[i % features];
    sumSquares += out[i] * out[i];
  }
  const sd = Math.sqrt(sumSquares / images.length) || 1;
  for (let i = 0; i < out.length; i++) out[i] /= sd;
  return out;
}
