// Progressive sharpening and the edge of stability on a real network, after
// Cohen, Kaur, Li, Kolter and Talwalkar, "Gradient Descent on Neural Networks
// Typically Occurs at the Edge of Stability" (ICLR 2021): a tanh MLP trained by
// full-batch GD on MNIST digits with squared loss 0.5 ||f(x) - onehot(y)||^2
// averaged over examples; sharpness by warm-started power iteration on HVPs.
import type { JsTree } from "@jax-js/jax";
import { hessianOperator, powerIteration } from "../../core/curvature.js";
import { type Array, f32, jit, np, tree, valueAndGrad } from "../../core/engine.js";
import type { Rng } from "../../core/rng.js";

type Params = JsTree<Array>;
export type MlpParams = { weights: Array[]; biases: Array[] };

/** Glorot-uniform weights and zero biases for the given layer widths. */
export function initMlp(widths: number[], rng: Rng): MlpParams {
  const weights: Array[] = [];
  const biases: Array[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const fanIn = widths[l];
    const fanOut = widths[l + 1];
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const w = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = (2 * rng.uniform() - 1) * limit;
    weights.push(f32(w, [fanIn, fanOut]));
    biases.push(np.zeros([fanOut]));
  }
  return { weights, biases };
}

/** tanh MLP forward pass; `params` and `x` are consumed. */
export function forward(params: MlpParams, x: Array): Array {
  let h = x;
  const last = params.weights.length - 1;
  params.weights.forEach((w, l) => {
    const z = np.matmul(h, w).add(params.biases[l]);
    h = l === last ? z : np.tanh(z);
  });
  return h;
}

/** 0.5 ||f(x) - onehot||^2 summed over classes, averaged over examples. */
export function squaredLoss(params: MlpParams, batch: { x: Array; y: Array }): Array {
  const diff = forward(params, batch.x).sub(batch.y);
  return diff.ref.mul(diff).sum(1).mean().mul(0.5);
}

export interface MlpRun {
  stepSize: number;
  twoOverEta: number;
  /** The loss before each completed step; a divergent value is left out. */
  losses: number[];
  accuracies: { step: number; value: number }[];
  sharpness: { step: number; value: number }[];
  diverged: boolean;
}

/**
 * Full-batch GD at one step size. The gradient step is compiled with jit
 * (float32); the sharpness is measured every `sharpnessEvery` steps by power
 * iteration on eager HVPs, warm-started from the previous top eigenvector.
 */
export function runMlpGd(options: {
  widths: number[];
  images: Float32Array;
  targets: Float32Array;
  labels: Int32Array;
  count: number;
  stepSize: number;
  steps: number;
  sharpnessEvery: number;
  powerIterations: number;
  rng: Rng;
  onStep?: (step: number, lossValue: number, sharp: number | null) => void;
}): MlpRun {
  const { count, widths } = options;
  const features = widths[0];
  const classes = widths[widths.length - 1];
  let params = initMlp(widths, options.rng.fork("init")) as Params;
  const batch = () => ({
    x: f32(options.images, [count, features]),
    y: f32(options.targets, [count, classes]),
  });
  const step = jit(valueAndGrad(squaredLoss as never) as never) as unknown as ((
    p: Params,
    b: { x: Array; y: Array },
  ) => [Array, Params]) & { dispose(): void };
  const losses: number[] = [];
  const sharp: { step: number; value: number }[] = [];
  const accuracies: { step: number; value: number }[] = [];
  let warm: Float64Array | undefined;
  let diverged = false;
  const eta = options.stepSize;
  for (let t = 0; t < options.steps; t++) {
    let s: number | null = null;
    if (t % options.sharpnessEvery === 0 || t === options.steps - 1) {
      const data = batch();
      const op = hessianOperator(
        (p) => squaredLoss(p as MlpParams, { x: data.x.ref, y: data.y.ref }),
        params,
      );
      const top = powerIteration(op.operator, op.size, {
        iterations: options.powerIterations,
        tolerance: 1e-4,
        init: warm,
        rng: options.rng.fork(`power${t}`),
      });
      tree.dispose(data);
      warm = top.vector;
      s = top.value;
      sharp.push({ step: t, value: s });
      accuracies.push({ step: t, value: accuracy(params, options) });
    }
    const [value, grads] = step(tree.ref(params), batch());
    const lossValue = Number(value.dataSync()[0]);
    // as for the diagonal network, a divergent loss ends the run and is not recorded
    if (!Number.isFinite(lossValue) || lossValue > 1e6) {
      tree.dispose(grads);
      diverged = true;
      break;
    }
    losses.push(lossValue);
    options.onStep?.(t, lossValue, s);
    params = tree.map((p: Array, g: Array) => p.sub(g.mul(eta)), params, grads) as Params;
  }
  step.dispose();
  tree.dispose(params);
  return { stepSize: eta, twoOverEta: 2 / eta, losses, accuracies, sharpness: sharp, diverged };
}

function accuracy(
  params: Params,
  options: { images: Float32Array; labels: Int32Array; count: number; widths: number[] },
): number {
  const logits = forward(
    tree.ref(params) as MlpParams,
    f32(options.images, [options.count, options.widths[0]]),
  );
  const predicted = np.argmax(logits, 1).dataSync();
  let correct = 0;
  for (let i = 0; i < options.count; i++) if (predicted[i] === options.labels[i]) correct++;
  return correct / options.count;
}

/** The number of parameters of an MLP with these widths. */
export function parameterCount(widths: number[]): number {
  let total = 0;
  for (let l = 0; l + 1 < widths.length; l++) total += widths[l] * widths[l + 1] + widths[l + 1];
  return total;
}
