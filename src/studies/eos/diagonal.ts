// Depth-2 diagonal linear network, beta = w_plus^2 - w_minus^2, under full-batch
// GD, following Zhang and Karbasi, "Criteria and Bias of Parameterized Linear
// Regression under Edge of Stability Regime". Loss L = (1/4n) ||X beta - y||^2.
//
// The model is small (2d parameters), so its gradient and Hessian-vector
// product are written in closed form on Float64Array; eos.test.ts checks
// both against the engine's autodiff and the explicit Hessian.
import { lanczos } from "../../core/curvature.js";
import type { RegressionProblem } from "../../core/data/synthetic.js";
import type { Rng } from "../../core/rng.js";

export { type RegressionProblem, sparseRegression } from "../../core/data/synthetic.js";

export function matVec(x: Float64Array, n: number, d: number, v: Float64Array): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const row = i * d;
    for (let j = 0; j < d; j++) s += x[row + j] * v[j];
    out[i] = s;
  }
  return out;
}

export function matTVec(x: Float64Array, n: number, d: number, r: Float64Array): Float64Array {
  const out = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    const ri = r[i];
    for (let j = 0; j < d; j++) out[j] += x[row + j] * ri;
  }
  return out;
}

/** Parameters are one vector: w_plus in [0, d), w_minus in [d, 2d). */
export function beta(params: Float64Array, d: number): Float64Array {
  const b = new Float64Array(d);
  for (let j = 0; j < d; j++) b[j] = params[j] ** 2 - params[d + j] ** 2;
  return b;
}

/** Residual r = X beta - y. */
export function residual(problem: RegressionProblem, params: Float64Array): Float64Array {
  const r = matVec(problem.x, problem.n, problem.d, beta(params, problem.d));
  for (let i = 0; i < problem.n; i++) r[i] -= problem.y[i];
  return r;
}

export function loss(problem: RegressionProblem, params: Float64Array): number {
  const r = residual(problem, params);
  let s = 0;
  for (const v of r) s += v * v;
  return s / (4 * problem.n);
}

/** dL/dw_plus = (1/n) (X^T r) * w_plus, dL/dw_minus = -(1/n) (X^T r) * w_minus. */
export function gradient(problem: RegressionProblem, params: Float64Array): Float64Array {
  const { n, d } = problem;
  const g = matTVec(problem.x, n, d, residual(problem, params));
  const out = new Float64Array(2 * d);
  for (let j = 0; j < d; j++) {
    out[j] = (g[j] * params[j]) / n;
    out[d + j] = (-g[j] * params[d + j]) / n;
  }
  return out;
}

/**
 * Hessian-vector product for the tangent (a, b):
 *   dbeta = 2 w_plus a - 2 w_minus b,  q = X^T X dbeta,  g = X^T r,
 *   H(a, b) = ((q w_plus + g a) / n, -(q w_minus + g b) / n).
 */
export function hessianVector(
  problem: RegressionProblem,
  params: Float64Array,
  v: Float64Array,
): Float64Array {
  const { n, d } = problem;
  const g = matTVec(problem.x, n, d, residual(problem, params));
  const dBeta = new Float64Array(d);
  for (let j = 0; j < d; j++) dBeta[j] = 2 * params[j] * v[j] - 2 * params[d + j] * v[d + j];
  const q = matTVec(problem.x, n, d, matVec(problem.x, n, d, dBeta));
  const out = new Float64Array(2 * d);
  for (let j = 0; j < d; j++) {
    out[j] = (q[j] * params[j] + g[j] * v[j]) / n;
    out[d + j] = -(q[j] * params[d + j] + g[j] * v[d + j]) / n;
  }
  return out;
}

/** Sharpness: the largest Hessian eigenvalue, by Lanczos on HVPs. */
export function sharpness(
  problem: RegressionProblem,
  params: Float64Array,
  rng: Rng,
  steps = 30,
): number {
  const op = (v: Float64Array) => hessianVector(problem, params, v);
  return lanczos(op, 2 * problem.d, 1, { steps, rng }).values[0];
}

/**
 * Distance from beta to the nearest interpolator {b : X b = y}:
 * ||X^+ r|| = sqrt(r^T (X X^T)^{-1} r), for n <= d with X of full row rank.
 */
export function interpolationDistance(problem: RegressionProblem, params: Float64Array): number {
  const { n, d, x } = problem;
  const r = residual(problem, params);
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k <= i; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[i * d + j] * x[k * d + j];
      gram[i * n + k] = s;
      gram[k * n + i] = s;
    }
  const z = choleskySolve(gram, n, r);
  let s = 0;
  for (let i = 0; i < n; i++) s += r[i] * z[i];
  return Math.sqrt(Math.max(0, s));
}

function choleskySolve(a: Float64Array, n: number, b: Float64Array): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (s <= 0)
          throw new Error(
            "choleskySolve: the Gram matrix is not positive definite (X lacks full rank)",
          );
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j];
    }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * z[k];
    z[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * z[k];
    z[i] = s / l[i * n + i];
  }
  return z;
}

export interface DiagonalRun {
  stepSize: number;
  twoOverEta: number;
  steps: number;
  diverged: boolean;
  losses: number[];
  /** (step, sharpness) at every step below `denseSharpnessSteps`, then every `sharpnessEvery`. */
  sharpness: { step: number; value: number }[];
  distances: { step: number; value: number }[];
  finalParams: Float64Array;
}

/** Full-batch GD from w_plus = w_minus = alpha; stops early on divergence. */
export function runDiagonalGd(
  problem: RegressionProblem,
  options: {
    alpha: number;
    stepSize: number;
    steps: number;
    sharpnessEvery: number;
    /** Measure the sharpness at every step before this one (the early overshoot). */
    denseSharpnessSteps?: number;
    rng: Rng;
    onStep?: (step: number, lossValue: number, sharp: number | null) => void;
  },
): DiagonalRun {
  const { d } = problem;
  const params = new Float64Array(2 * d).fill(options.alpha);
  const losses: number[] = [];
  const sharp: { step: number; value: number }[] = [];
  const distances: { step: number; value: number }[] = [];
  const dense = options.denseSharpnessSteps ?? 0;
  let diverged = false;
  let t = 0;
  for (; t < options.steps; t++) {
    const value = loss(problem, params);
    if (!Number.isFinite(value) || value > 1e12) {
      diverged = true;
      break;
    }
    losses.push(value);
    let s: number | null = null;
    if (t < dense || t % options.sharpnessEvery === 0) {
      s = sharpness(problem, params, options.rng);
      sharp.push({ step: t, value: s });
      if (problem.n <= problem.d)
        distances.push({ step: t, value: interpolationDistance(problem, params) });
    }
    options.onStep?.(t, value, s);
    const g = gradient(problem, params);
    for (let j = 0; j < 2 * d; j++) params[j] -= options.stepSize * g[j];
  }
  return {
    stepSize: options.stepSize,
    twoOverEta: 2 / options.stepSize,
    steps: t,
    diverged,
    losses,
    sharpness: sharp,
    distances,
    finalParams: params,
  };
}

/**
 * For n >= d (X of full column rank) the interpolator beta is unique: the
 * least-squares solution of X^T X b = X^T y. At any parameters with that beta
 * the residual is zero and the Hessian is (1/n) J^T X^T X J with
 * J = [diag(2 w_plus), -diag(2 w_minus)], so J J^T = diag(4 (w_plus^2 + w_minus^2))
 * >= diag(4 |beta|). The flattest such point (one of w_plus, w_minus zero per
 * coordinate) has sharpness (4/n) lambda_max(D X^T X D), D = diag(sqrt|beta|):
 * no interpolating parameters are flatter. Returns that floor and the interpolator.
 */
export function flattestInterpolatorSharpness(
  problem: RegressionProblem,
  rng: Rng,
): { sharpness: number; interpolator: Float64Array } {
  const { n, d, x } = problem;
  if (n < d) throw new Error("flattestInterpolatorSharpness: needs n >= d (a unique interpolator)");
  const gram = new Float64Array(d * d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const xij = x[i * d + j];
      for (let k = 0; k <= j; k++) gram[j * d + k] += xij * x[i * d + k];
    }
  for (let j = 0; j < d; j++) for (let k = 0; k < j; k++) gram[k * d + j] = gram[j * d + k];
  const interpolator = choleskySolve(gram, d, matTVec(x, n, d, problem.y));
  const root = interpolator.map((b) => Math.sqrt(Math.abs(b)));
  const op = (v: Float64Array) => {
    const dv = v.map((vj, j) => root[j] * vj);
    const q = matTVec(x, n, d, matVec(x, n, d, dv));
    return q.map((qj, j) => (4 * root[j] * qj) / n);
  };
  return { sharpness: lanczos(op, d, 1, { steps: Math.min(d, 60), rng }).values[0], interpolator };
}
