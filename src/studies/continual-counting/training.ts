// Private training with correlated noise (DP-FTRL style): softmax regression on
// MNIST, one pass, each example in exactly one step. Per-example gradients come
// from vmap over grad in @jax-js/jax and are clipped to L2 norm C; their sums
// x_t form a vector stream whose noisy prefix sums G_t a streaming counter
// releases, and the parameters are theta_t = theta_0 - (lr / B) G_t. Each
// mechanism is then one Gaussian mechanism of sensitivity C ||R||_{1->2}.

import type { ImageSet } from "../../core/data/mnist.js";
import { oneHot } from "../../core/data/mnist.js";
import type { Array as JaxArray } from "../../core/engine.js";
import { f32, grad, jit, nn, np, vmap } from "../../core/engine.js";
import type { BinnedFactorisation, MechanismName } from "./counters.js";
import { makeCounter } from "./counters.js";
import type { RandomSource } from "./noise.js";

export const CLASSES = 10;

/** Cross-entropy of one example; params {W: features x 10, b: 10}. */
function exampleLoss(params: { W: JaxArray; b: JaxArray }, x: JaxArray, y: JaxArray): JaxArray {
  const features = params.W.shape[0];
  const logits = np.add(
    np.matmul(x.reshape([1, features]), params.W),
    params.b.reshape([1, CLASSES]),
  );
  return np.sum(np.multiply(nn.logSoftmax(logits, -1), y.reshape([1, CLASSES]))).mul(-1);
}

const perExampleGrads = vmap(grad(exampleLoss), [null, 0, 0]);

/** Sum over the batch of per-example gradients, each clipped to L2 norm `clip`. */
const clippedGradientSum = jit(
  (params: { W: JaxArray; b: JaxArray }, x: JaxArray, y: JaxArray, clip: JaxArray) => {
    const batch = x.shape[0];
    const g = perExampleGrads(params, x, y) as { W: JaxArray; b: JaxArray };
    const norm2 = np.add(np.sum(np.square(g.W.ref), [1, 2]), np.sum(np.square(g.b.ref), [1]));
    const scale = np.minimum(np.divide(clip, np.sqrt(np.add(norm2, 1e-12))), 1);
    return {
      W: np.sum(np.multiply(g.W, scale.ref.reshape([batch, 1, 1])), 0),
      b: np.sum(np.multiply(g.b, scale.reshape([batch, 1])), 0),
    };
  },
);

/** Clipped per-example gradient sum as one flat vector [W (row-major), b]. */
export function clippedSum(
  theta: Float64Array,
  images: Float32Array,
  labels: Int32Array,
  clip: number,
): Float64Array {
  const batch = labels.length;
  const features = images.length / batch;
  const W = np
    .array(Float32Array.from(theta.subarray(0, features * CLASSES)))
    .reshape([features, CLASSES]);
  const b = np.array(Float32Array.from(theta.subarray(features * CLASSES)));
  const x = f32(images, [batch, features]);
  const y = f32(oneHot(labels, CLASSES), [batch, CLASSES]);
  const out = clippedGradientSum({ W, b }, x, y, np.array(clip));
  const result = new Float64Array(theta.length);
  result.set(out.W.dataSync() as Float32Array, 0);
  result.set(out.b.dataSync() as Float32Array, features * CLASSES);
  return result;
}

/**
 * The same sum in closed form, for checking the vmap path: the gradient of one
 * example is (softmax(W^T x + b) - y) outer [x, 1].
 */
export function clippedSumClosedForm(
  theta: Float64Array,
  images: Float32Array,
  labels: Int32Array,
  clip: number,
): Float64Array {
  const batch = labels.length;
  const features = images.length / batch;
  const out = new Float64Array(theta.length);
  const residual = new Float64Array(CLASSES);
  for (let i = 0; i < batch; i++) {
    const x = images.subarray(i * features, (i + 1) * features);
    softmaxInto(theta, x, residual);
    residual[labels[i]] -= 1;
    let x2 = 1;
    for (const v of x) x2 += v * v;
    let r2 = 0;
    for (const v of residual) r2 += v * v;
    const scale = Math.min(1, clip / Math.sqrt(r2 * x2 + 1e-12));
    for (let f = 0; f < features; f++) {
      if (x[f] === 0) continue;
      for (let k = 0; k < CLASSES; k++) out[f * CLASSES + k] += scale * x[f] * residual[k];
    }
    for (let k = 0; k < CLASSES; k++) out[features * CLASSES + k] += scale * residual[k];
  }
  return out;
}

/** Class probabilities of one image under theta, written into `out`. */
function softmaxInto(theta: Float64Array, x: ArrayLike<number>, out: Float64Array): void {
  const features = x.length;
  for (let k = 0; k < CLASSES; k++) out[k] = theta[features * CLASSES + k];
  for (let f = 0; f < features; f++) {
    const v = x[f];
    if (v === 0) continue;
    for (let k = 0; k < CLASSES; k++) out[k] += v * theta[f * CLASSES + k];
  }
  let max = -Infinity;
  for (const v of out) max = Math.max(max, v);
  let sum = 0;
  for (let k = 0; k < CLASSES; k++) {
    out[k] = Math.exp(out[k] - max);
    sum += out[k];
  }
  for (let k = 0; k < CLASSES; k++) out[k] /= sum;
}

/** Fraction of a set classified correctly by theta. */
export function accuracy(theta: Float64Array, set: ImageSet): number {
  const probabilities = new Float64Array(CLASSES);
  let correct = 0;
  for (let i = 0; i < set.count; i++) {
    softmaxInto(
      theta,
      set.images.subarray(i * set.features, (i + 1) * set.features),
      probabilities,
    );
    let best = 0;
    for (let k = 1; k < CLASSES; k++) if (probabilities[k] > probabilities[best]) best = k;
    if (best === set.labels[i]) correct++;
  }
  return correct / set.count;
}

export interface TrainingOptions {
  mechanism: MechanismName | "none";
  /** sigma (ignored for "none"): rho = 1 / (2 sigma^2). */
  noiseMultiplier: number;
  batchSize: number;
  clip: number;
  learningRate: number;
  random: RandomSource;
  binning?: { d: number } | BinnedFactorisation;
  onStep?: (step: number, steps: number) => void;
}

export interface TrainingResult {
  accuracy: number;
  steps: number;
  /** Peak floats of noise state the counter held. */
  noiseMemoryFloats: number;
  /** Noise standard deviation per coordinate of z: sigma C ||R||_{1->2}. */
  noiseStd: number;
}

/** One pass over `train` in batches (the set's order), then test accuracy. */
export function trainPrivately(
  train: ImageSet,
  test: ImageSet,
  options: TrainingOptions,
): TrainingResult {
  const { batchSize, clip } = options;
  const steps = Math.floor(train.count / batchSize);
  const size = (train.features + 1) * CLASSES;
  const theta = new Float64Array(size);
  const counter =
    options.mechanism === "none"
      ? null
      : makeCounter({
          mechanism: options.mechanism,
          horizon: steps,
          dim: size,
          noiseMultiplier: options.noiseMultiplier,
          sensitivity: clip,
          random: options.random,
          binning: options.binning,
        });
  const exact = new Float64Array(size);
  for (let step = 0; step < steps; step++) {
    const rows = [step * batchSize, (step + 1) * batchSize];
    const images = train.images.subarray(rows[0] * train.features, rows[1] * train.features);
    const labels = train.labels.subarray(rows[0], rows[1]);
    const x = clippedSum(theta, images, labels, clip);
    let prefix: Float64Array;
    if (counter) {
      prefix = counter.add(x);
    } else {
      for (let i = 0; i < size; i++) exact[i] += x[i];
      prefix = exact;
    }
    const scale = options.learningRate / batchSize;
    for (let i = 0; i < size; i++) theta[i] = -scale * prefix[i];
    options.onStep?.(step + 1, steps);
  }
  return {
    accuracy: accuracy(theta, test),
    steps,
    noiseMemoryFloats: counter ? counter.peakNoiseMemoryFloats : 0,
    noiseStd: counter ? Math.sqrt(counter.noiseVariance) : 0,
  };
}
