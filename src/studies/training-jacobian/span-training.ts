// Training restricted to an affine subspace theta_0 + span(directions): the
// paper's test of which singular directions carry the learning. The
// coefficients c follow the same momentum SGD and schedule as the full run,
// with gradient B g (B: orthonormal rows) and parameters theta_0 + B^T c.
import { BatchLoss, predict } from "./batch-loss.js";
import type { DigitSet } from "./digits.js";
import type { MlpShape } from "./mlp.js";
import { cosineLearningRates, fixedBatches, type TrainSetup } from "./training.js";

/** Fraction of a set that the network classifies correctly. */
export function accuracy(shape: MlpShape, theta: Float64Array, set: DigitSet): number {
  const probs = predict(shape, theta, set.images, set.count);
  const c = shape.classes;
  let right = 0;
  for (let b = 0; b < set.count; b++) {
    let best = 0;
    for (let o = 1; o < c; o++) if (probs[b * c + o] > probs[b * c + best]) best = o;
    if (best === set.labels[b]) right++;
  }
  return right / set.count;
}

/** Trains inside theta_0 + span(rows of `basis`, `count` x P) and returns the final parameters. */
export function trainInSpan(
  theta0: Float64Array,
  basis: Float64Array,
  count: number,
  setup: TrainSetup,
): Float64Array {
  const p = theta0.length;
  const batches = fixedBatches(setup.train, setup.batchSize);
  const steps = setup.epochs * batches.length;
  const rates = cosineLearningRates(setup.learningRate, steps);
  const loss = new BatchLoss(setup.shape, setup.batchSize);
  const coeffs = new Float64Array(count);
  const velocity = new Float64Array(count);
  const theta = Float64Array.from(theta0);
  for (let t = 0; t < steps; t++) {
    loss.setParams(theta, batches[t % batches.length]);
    const g = loss.gradient;
    theta.set(theta0);
    for (let k = 0; k < count; k++) {
      const row = k * p;
      let gk = 0;
      for (let i = 0; i < p; i++) gk += basis[row + i] * g[i];
      velocity[k] = gk + setup.momentum * velocity[k];
      coeffs[k] -= rates[t] * velocity[k];
    }
    for (let k = 0; k < count; k++) {
      const row = k * p;
      const ck = coeffs[k];
      for (let i = 0; i < p; i++) theta[i] += ck * basis[row + i];
    }
  }
  return theta;
}
