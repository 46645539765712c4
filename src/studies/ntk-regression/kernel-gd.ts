// Kernel regression with the NTK: gradient descent on the kernel model in
// closed form (in the eigenbasis of K/n), kernel ridge regression, the
// empirical kernel complexity, the critical rate eps_n and the data-driven
// stopping rule T_hat. Same paper, section 3 (the stopping rule and its rate).
import { type SymmetricEigen, symmetricEigen } from "../../core/linalg.js";

/** The eigendecomposition of K/n and the projections of y on its eigenvectors. */
export interface KernelFit {
  n: number;
  /** Eigenvalues of K/n, ascending. */
  values: Float64Array;
  eigen: SymmetricEigen;
  /** V y: the labels in the eigenbasis. */
  projections: Float64Array;
}

/** Decomposes the n x n training Gram matrix K (row-major) and projects y. */
export function fitKernel(k: Float64Array, y: Float64Array): KernelFit {
  const n = y.length;
  const scaled = Float64Array.from(k, (v) => v / n);
  const eigen = symmetricEigen(scaled, n);
  const projections = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    const base = j * n;
    for (let i = 0; i < n; i++) s += eigen.vectors[base + i] * y[i];
    projections[j] = s;
  }
  return { n, values: eigen.values, eigen, projections };
}

// alpha = V^T (weights * V y) for per-eigenvalue weights.
function coefficients(fit: KernelFit, weight: (lambda: number) => number): Float64Array {
  const { n, eigen, projections } = fit;
  const alpha = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const c = weight(fit.values[j]) * projections[j];
    if (c === 0) continue;
    const base = j * n;
    for (let i = 0; i < n; i++) alpha[i] += c * eigen.vectors[base + i];
  }
  return alpha;
}

/**
 * Coefficients alpha_t of kernel GD after t steps from f_0 = 0, with the loss
 * (1/2n) sum (f(x_i) - y_i)^2 and step eta: f_t = K(., X) alpha_t, where
 * alpha_{t+1} = alpha_t - (eta/n)(K alpha_t - y). In the eigenbasis of K/n,
 * alpha_t = V^T diag((1 - (1 - eta lambda)^t) / (n lambda)) V y.
 */
export function gdCoefficients(fit: KernelFit, eta: number, steps: number): Float64Array {
  const n = fit.n;
  return coefficients(fit, (lambda) => {
    if (Math.abs(lambda) < 1e-300) return (eta * steps) / n;
    return -Math.expm1(steps * Math.log1p(-eta * lambda)) / (n * lambda);
  });
}

/** Kernel ridge regression: alpha = (K + n ridge I)^{-1} y. */
export function ridgeCoefficients(fit: KernelFit, ridge: number): Float64Array {
  return coefficients(fit, (lambda) => 1 / (fit.n * (Math.max(lambda, 0) + ridge)));
}

/** Predictions K_cross alpha, with K_cross the rows x n cross-Gram matrix. */
export function predict(cross: Float64Array, alpha: Float64Array): Float64Array {
  const n = alpha.length;
  const rows = cross.length / n;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const base = i * n;
    for (let j = 0; j < n; j++) s += cross[base + j] * alpha[j];
    out[i] = s;
  }
  return out;
}

/** Empirical kernel complexity R_hat(eps) = sqrt((1/n) sum_i min(lambda_i, eps^2)). */
export function kernelComplexity(values: Float64Array, eps: number): number {
  const e2 = eps * eps;
  let s = 0;
  for (const lambda of values) s += Math.min(Math.max(lambda, 0), e2);
  return Math.sqrt(s / values.length);
}

/**
 * The critical rate: the smallest eps > 0 with R_hat(eps) <= eps^2 / sigma0.
 * sigma0 R(eps) / eps^2 decreases in eps, so bisection on log eps finds it.
 */
export function criticalRate(values: Float64Array, sigma0: number): number {
  const holds = (eps: number) => kernelComplexity(values, eps) <= (eps * eps) / sigma0;
  let lo = 1e-12;
  let hi = 1;
  while (!holds(hi)) hi *= 2;
  if (holds(lo)) return lo;
  for (let i = 0; i < 200 && hi / lo > 1 + 1e-14; i++) {
    const mid = Math.sqrt(lo * hi);
    if (holds(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The stopping rule T_hat = min{t : R_hat(sqrt(1/(eta t))) > 1/(sigma0 eta t)} - 1.
 * The condition, once true, stays true as t grows, so t is found by doubling
 * and bisection.
 */
export function stoppingStep(values: Float64Array, eta: number, sigma0: number): number {
  const stop = (t: number) =>
    kernelComplexity(values, Math.sqrt(1 / (eta * t))) > 1 / (sigma0 * eta * t);
  if (stop(1)) return 0;
  let lo = 1;
  let hi = 2;
  while (!stop(hi)) {
    lo = hi;
    hi *= 2;
    if (hi > 2 ** 52) throw new Error("stoppingStep: the rule never stops (all eigenvalues zero?)");
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (stop(mid)) hi = mid;
    else lo = mid;
  }
  return hi - 1;
}

/** Mean squared difference of two vectors. */
export function meanSquared(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

/** Eigenvalues of K/n alone (ascending): about three times faster than fitKernel. */
export function kernelEigenvalues(k: Float64Array, n: number): Float64Array {
  const scaled = Float64Array.from(k, (v) => v / n);
  return symmetricEigen(scaled, n, { vectors: false }).values;
}

/**
 * Kernel GD coefficients by running the iteration
 * alpha <- alpha - (eta/n)(K alpha - y) `steps` times: O(steps n^2), cheaper
 * than the eigendecomposition when only one stopping time is needed.
 */
export function gdCoefficientsIterative(
  k: Float64Array,
  y: Float64Array,
  eta: number,
  steps: number,
): Float64Array {
  const n = y.length;
  const alpha = new Float64Array(n);
  for (let t = 0; t < steps; t++) {
    const ka = predict(k, alpha);
    for (let i = 0; i < n; i++) alpha[i] -= (eta / n) * (ka[i] - y[i]);
  }
  return alpha;
}

/** Kernel ridge regression by Cholesky: solves (K + n ridge I) alpha = y. */
export function ridgeSolve(k: Float64Array, y: Float64Array, ridge: number): Float64Array {
  const n = y.length;
  const l = Float64Array.from(k);
  for (let i = 0; i < n; i++) l[i * n + i] += n * ridge;
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    let d = l[rowJ + j];
    for (let p = 0; p < j; p++) d -= l[rowJ + p] * l[rowJ + p];
    if (!(d > 0)) throw new Error("ridgeSolve: K + n ridge I is not positive definite");
    const pivot = Math.sqrt(d);
    l[rowJ + j] = pivot;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      let s = l[rowI + j];
      for (let p = 0; p < j; p++) s -= l[rowI + p] * l[rowJ + p];
      l[rowI + j] = s / pivot;
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = y[i];
    for (let p = 0; p < i; p++) s -= l[i * n + p] * z[p];
    z[i] = s / l[i * n + i];
  }
  const alpha = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let p = i + 1; p < n; p++) s -= l[p * n + i] * alpha[p];
    alpha[i] = s / l[i * n + i];
  }
  return alpha;
}
