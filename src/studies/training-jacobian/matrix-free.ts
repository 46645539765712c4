// Matrix-free spectral estimates for training Jacobians too large to build:
// Lanczos on J^T J, where each step costs one Jacobian-vector product and one
// vector-Jacobian product through the whole training run. The Ritz values
// estimate the extreme singular values; their Gauss-quadrature weights
// (stochastic Lanczos quadrature) estimate how much of the spectrum lies near one.
import { lanczosDecomposition } from "../../core/curvature.js";
import type { Rng } from "../../core/rng.js";
import { jvpThroughTraining, vjpThroughTraining } from "./jacobian.js";
import type { Trajectory } from "./training.js";

/** Ritz values of a symmetric operator with their quadrature weights (sum 1), descending. */
export interface Quadrature {
  nodes: Float64Array;
  weights: Float64Array;
}

/** `steps` Lanczos steps (full reorthogonalisation) from a random unit vector. */
export function lanczosQuadrature(
  operator: (v: Float64Array) => Float64Array,
  size: number,
  steps: number,
  rng: Rng,
): Quadrature {
  const { basis, values, vectors } = lanczosDecomposition(
    operator,
    size,
    steps,
    rng.normals(size),
    1e-10,
  );
  const m = basis.length;
  // nodes descending; the weight of a node is the squared first component of its eigenvector
  const nodes = Float64Array.from({ length: m }, (_, i) => values[m - 1 - i]);
  const weights = Float64Array.from({ length: m }, (_, i) => vectors[(m - 1 - i) * m] ** 2);
  return { nodes, weights };
}

/** Lanczos quadrature of J^T J for the training run, through JVPs and VJPs only. */
export function trainingGramQuadrature(
  trajectory: Trajectory,
  steps: number,
  rng: Rng,
): Quadrature {
  const size = trajectory.final.length;
  return lanczosQuadrature(
    (v) => vjpThroughTraining(trajectory, jvpThroughTraining(trajectory, v)),
    size,
    steps,
    rng,
  );
}

/** Estimated fraction of singular values in [low, high], from a quadrature of J^T J. */
export function fractionBetween(quadrature: Quadrature, low: number, high: number): number {
  let sum = 0;
  quadrature.nodes.forEach((node, i) => {
    const s = Math.sqrt(Math.max(node, 0));
    if (s >= low && s <= high) sum += quadrature.weights[i];
  });
  return sum;
}
