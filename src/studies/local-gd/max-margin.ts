// The centralised baselines: the GD limit for least squares (the solution
// closest to the initialisation) and the hard-margin max-margin direction
// for separable linear classification (a small quadratic program).
import { addMatTVec, choleskySolve, gram, gramT, type Matrix, matVec } from "./linalg.js";

/**
 * Where gradient descent on (1/2)||Xw - y||^2 from w0 converges (for small
 * enough steps): w0 + X^T (X X^T)^-1 (y - X w0) when X has full row rank
 * (over-parameterised: the interpolator closest to w0, the minimum-norm one
 * from w0 = 0), and the least-squares solution (X^T X)^-1 X^T y when X has
 * full column rank (under-parameterised).
 */
export function gradientDescentLimit(x: Matrix, y: Float64Array, w0: Float64Array): Float64Array {
  if (x.rows <= x.cols) {
    const residual = matVec(x, w0).map((v, i) => y[i] - v);
    const coef = choleskySolve(gram(x), residual);
    const w = Float64Array.from(w0);
    addMatTVec(x, coef, 1, w);
    return w;
  }
  const rhs = new Float64Array(x.cols);
  addMatTVec(x, y, 1, rhs);
  return choleskySolve(gramT(x), rhs);
}

export interface MaxMarginResult {
  /** The hard-margin SVM solution (no bias): min ||w||^2/2 s.t. y_i x_i.w >= 1. */
  w: Float64Array;
  /** Dual variables alpha_i >= 0, w = sum alpha_i y_i x_i. */
  alpha: Float64Array;
  sweeps: number;
  /** Largest KKT violation: |margin - 1| on support vectors, max(0, 1 - margin) elsewhere. */
  kktViolation: number;
  /** Primal minus dual objective, ||w||^2 - sum alpha. */
  dualityGap: number;
}

/**
 * Solves the hard-margin SVM dual max sum(alpha) - (1/2)||sum alpha_i y_i x_i||^2,
 * alpha >= 0, by exact coordinate ascent: alpha_i <- max(0, alpha_i + (1 - y_i x_i.w) / ||x_i||^2).
 * Stops when the KKT violation is below `tolerance`; throws if it never gets
 * there (the data look inseparable).
 */
export function maxMargin(
  x: Matrix,
  y: Float64Array,
  options: { tolerance?: number; maxSweeps?: number } = {},
): MaxMarginResult {
  const tolerance = options.tolerance ?? 1e-12;
  const maxSweeps = options.maxSweeps ?? 1_000_000;
  const { rows: n, cols: d, data } = x;
  const alpha = new Float64Array(n);
  const w = new Float64Array(d);
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) sq[i] += data[i * d + j] ** 2;
  }
  const margin = (i: number) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += data[i * d + j] * w[j];
    return y[i] * s;
  };
  const violation = () => {
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const m = margin(i);
      worst = Math.max(worst, alpha[i] > 0 ? Math.abs(m - 1) : Math.max(0, 1 - m));
    }
    return worst;
  };

  let sweeps = 0;
  let kkt = violation();
  while (kkt > tolerance && sweeps < maxSweeps) {
    sweeps++;
    for (let i = 0; i < n; i++) {
      const next = Math.max(0, alpha[i] + (1 - margin(i)) / sq[i]);
      const delta = next - alpha[i];
      if (delta === 0) continue;
      alpha[i] = next;
      const c = delta * y[i];
      for (let j = 0; j < d; j++) w[j] += c * data[i * d + j];
    }
    if (sweeps % 10 === 0) kkt = violation();
    const total = alpha.reduce((s, a) => s + a, 0);
    if (!Number.isFinite(total) || total > 1e12) {
      throw new Error("maxMargin: dual variables diverge; the data are not linearly separable");
    }
  }
  kkt = violation();
  if (kkt > tolerance) {
    throw new Error(
      `maxMargin: no convergence in ${maxSweeps} sweeps (KKT violation ${kkt}); the data may not be linearly separable`,
    );
  }
  let wsq = 0;
  for (let j = 0; j < d; j++) wsq += w[j] * w[j];
  const dualityGap = wsq - alpha.reduce((s, a) => s + a, 0);
  return { w, alpha, sweeps, kktViolation: kkt, dualityGap };
}
