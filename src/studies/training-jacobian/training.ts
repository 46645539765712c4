// The paper's training run as a deterministic function of the initial
// parameters: heavy-ball SGD (m <- g + mu m, theta <- theta - lr_t m) with a
// cosine-decayed learning rate and mini-batches in a fixed order, replayed
// every epoch. The trajectory is kept so the Jacobian can be propagated along it.
import { UsageError } from "../../core/errors.js";
import { BatchLoss } from "./batch-loss.js";
import type { DigitSet } from "./digits.js";
import { type Batch, type MlpShape, makeBatch } from "./mlp.js";

export interface TrainSetup {
  shape: MlpShape;
  train: DigitSet;
  batchSize: number;
  epochs: number;
  learningRate: number;
  momentum: number;
}

/** A finished run: per-step learning rates, batches and parameters before each step. */
export interface Trajectory {
  setup: TrainSetup;
  batches: Batch[];
  steps: number;
  learningRates: Float64Array;
  /** Batch index used at each step. */
  batchOf: Int32Array;
  /** theta_t before step t (t = 0 .. steps-1), if kept. */
  thetas: Float64Array[];
  final: Float64Array;
  /** Mean batch loss of each epoch. */
  epochLosses: number[];
}

/** Cosine decay from `learningRate` to 0 over `steps` (optax's cosine_decay_schedule). */
export function cosineLearningRates(learningRate: number, steps: number): Float64Array {
  const out = new Float64Array(steps);
  for (let t = 0; t < steps; t++)
    out[t] = learningRate * 0.5 * (1 + Math.cos((Math.PI * t) / steps));
  return out;
}

/** Cuts a set into consecutive batches (a final partial batch is dropped). */
export function fixedBatches(set: DigitSet, batchSize: number): Batch[] {
  const count = Math.floor(set.count / batchSize);
  if (count < 1) {
    throw new UsageError(
      `batchSize ${batchSize} exceeds the ${set.count} training examples: lower batchSize`,
    );
  }
  const f = set.features;
  const batches: Batch[] = [];
  for (let i = 0; i < count; i++) {
    const rows = set.images.slice(i * batchSize * f, (i + 1) * batchSize * f);
    const labels = set.labels.slice(i * batchSize, (i + 1) * batchSize);
    batches.push(makeBatch(rows, labels, f));
  }
  return batches;
}

/** Trains from `theta0` (not modified), keeping every intermediate theta if asked. */
export function train(
  theta0: Float64Array,
  setup: TrainSetup,
  options: { keepTrajectory?: boolean; onEpoch?: (epoch: number, loss: number) => void } = {},
): Trajectory {
  const batches = fixedBatches(setup.train, setup.batchSize);
  const steps = setup.epochs * batches.length;
  const learningRates = cosineLearningRates(setup.learningRate, steps);
  const batchOf = new Int32Array(steps);
  const loss = new BatchLoss(setup.shape, setup.batchSize);
  const theta = Float64Array.from(theta0);
  const velocity = new Float64Array(theta.length);
  const thetas: Float64Array[] = [];
  const epochLosses: number[] = [];
  let epochLoss = 0;

  for (let t = 0; t < steps; t++) {
    const b = t % batches.length;
    batchOf[t] = b;
    if (options.keepTrajectory) thetas.push(Float64Array.from(theta));
    loss.setParams(theta, batches[b]);
    epochLoss += loss.loss;
    const g = loss.gradient;
    const lr = learningRates[t];
    for (let i = 0; i < theta.length; i++) {
      velocity[i] = g[i] + setup.momentum * velocity[i];
      theta[i] -= lr * velocity[i];
    }
    if (b === batches.length - 1) {
      epochLosses.push(epochLoss / batches.length);
      options.onEpoch?.(epochLosses.length, epochLoss / batches.length);
      epochLoss = 0;
    }
  }
  return { setup, batches, steps, learningRates, batchOf, thetas, final: theta, epochLosses };
}
