// Lower-triangular Toeplitz workloads and their square roots: the prefix-sum
// matrix A (all ones) and the momentum / weight-decay workload A_{alpha,beta}
// of Kalinin & Lampert (arXiv:2405.13763, section 3.1), with sqrt(A) = Toeplitz(c),
// c_k = binom(2k, k) / 4^k (the coefficients of (1 - z)^{-1/2}).
import { UsageError } from "../../core/errors.js";

/** A workload: prefix sums (alpha = 1, beta = 0) or counting with momentum and decay. */
export interface Workload {
  /** Weight decay factor, 0 < alpha <= 1. */
  alpha: number;
  /** Momentum, 0 <= beta < alpha. */
  beta: number;
}

export const PREFIX_SUMS: Workload = { alpha: 1, beta: 0 };

/** Throws a UsageError unless 0 <= beta < alpha <= 1. */
export function checkWorkload(workload: Workload): void {
  const { alpha, beta } = workload;
  if (!(alpha > 0 && alpha <= 1 && beta >= 0 && beta < alpha)) {
    throw new UsageError(`workload needs 0 <= beta < alpha <= 1, got alpha=${alpha}, beta=${beta}`);
  }
}

export function isPrefixSums(workload: Workload): boolean {
  return workload.alpha === 1 && workload.beta === 0;
}

/** c_k = binom(2k, k) / 4^k for k < n, by c_k = (1 - 1/(2k)) c_{k-1}. */
export function sqrtCoefficients(n: number): Float64Array {
  const c = new Float64Array(n);
  if (n > 0) c[0] = 1;
  for (let k = 1; k < n; k++) c[k] = (1 - 0.5 / k) * c[k - 1];
  return c;
}

/** Coefficients of sqrt(A)^{-1} = Toeplitz of sqrt(1 - z): d_0 = 1, d_k = c_k - c_{k-1}. */
export function inverseSqrtCoefficients(n: number): Float64Array {
  const c = sqrtCoefficients(n);
  const d = new Float64Array(n);
  if (n > 0) d[0] = 1;
  for (let k = 1; k < n; k++) d[k] = c[k] - c[k - 1];
  return d;
}

/** a_k = (alpha^{k+1} - beta^{k+1}) / (alpha - beta): the first column of A_{alpha,beta}. */
export function workloadCoefficients(n: number, workload: Workload): Float64Array {
  checkWorkload(workload);
  const { alpha, beta } = workload;
  const a = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    a[k] = isPrefixSums(workload) ? 1 : (alpha ** (k + 1) - beta ** (k + 1)) / (alpha - beta);
  }
  return a;
}

/**
 * First column of sqrt(A_{alpha,beta}): the generating function is
 * (1 - alpha z)^{-1/2} (1 - beta z)^{-1/2}, so s_j = sum_i alpha^{j-i} beta^i c_{j-i} c_i.
 * Every s_j lies in [0, 1] because it is at most sum_i c_{j-i} c_i = 1.
 */
export function sqrtWorkloadCoefficients(n: number, workload: Workload): Float64Array {
  checkWorkload(workload);
  const c = sqrtCoefficients(n);
  if (isPrefixSums(workload)) return c;
  const { alpha, beta } = workload;
  const alphaPowers = new Float64Array(n);
  const betaPowers = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    alphaPowers[k] = alpha ** k;
    betaPowers[k] = beta ** k;
  }
  const s = new Float64Array(n);
  if (n > 0) s[0] = 1;
  for (let j = 1; j < n; j++) {
    let sum = 0;
    for (let i = 0; i <= j; i++) sum += alphaPowers[j - i] * betaPowers[i] * c[j - i] * c[i];
    s[j] = sum;
  }
  return s;
}

/** Prefix sums of squares: out[t] = sum_{k <= t} s_k^2 (row t's squared norm). */
export function prefixSquares(s: Float64Array): Float64Array {
  const out = new Float64Array(s.length);
  let sum = 0;
  for (let k = 0; k < s.length; k++) {
    sum += s[k] * s[k];
    out[k] = sum;
  }
  return out;
}

/** Lower-triangular Toeplitz matrix-vector product y = T(s) x (plain loops). */
export function toeplitzMultiply(s: ArrayLike<number>, x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const y = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let sum = 0;
    for (let k = 0; k <= t; k++) sum += s[t - k] * x[k];
    y[t] = sum;
  }
  return y;
}
