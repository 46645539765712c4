// Matrix-free spectral estimates for training Jacobians too large to build:
// Lanczos on J^T J, where each step costs one Jacobian-vector product and one
// vector-Jacobian product through the whole training run. The Ritz values
// estimate the extreme singular values; their Gauss-quadrature weights
// (stochastic Lanczos quadrature) estimate how much of the spectrum lies near one.
import { dot, norm } from "../../core/linalg.js";
import type { Rng } from "../../core/rng.js";
import { jvpThroughTraining, vjpThroughTraining } from "./jacobian.js";
import { descendingEigen } from "./linalg.js";
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
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let q = rng.normals(size);
  scaleTo(q, 1 / norm(q));
  for (let j = 0; j < Math.min(steps, size); j++) {
    basis.push(q);
    const w = operator(q);
    alpha.push(dot(q, w));
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        const c = dot(b, w);
        for (let i = 0; i < size; i++) w[i] -= c * b[i];
      }
    }
    const b = norm(w);
    if (j === steps - 1 || b < 1e-10) break;
    beta.push(b);
    q = scaleTo(w, 1 / b);
  }
  const m = alpha.length;
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    t[i * m + i] = alpha[i];
    if (i + 1 < m) {
      t[i * m + i + 1] = beta[i];
      t[(i + 1) * m + i] = beta[i];
    }
  }
  const { values, vectors } = descendingEigen(t, m);
  // weight of a node = squared first component of its eigenvector
  const weights = Float64Array.from({ length: m }, (_, i) => vectors[i * m] ** 2);
  return { nodes: values, weights };
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

function scaleTo(a: Float64Array, c: number): Float64Array {
  for (let i = 0; i < a.length; i++) a[i] *= c;
  return a;
}
