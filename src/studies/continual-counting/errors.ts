// Error analysis of a factorisation mechanism A = L R that releases L(Rx + z)
// with z ~ N(0, sens(R)^2 I): Var(out_t) = ||L_t||^2 ||R||_{1->2}^2, so
// MaxSE = max_t ||L_t||^2 ||R||_{1->2}^2 and MeanSE = ||L||_F^2 / n ||R||_{1->2}^2
// (noise multiplier 1, i.e. rho = 1/2 zCDP; multiply by sigma^2 for another level).

/** What the errors depend on: the squared row norms of L and sens(R)^2. */
export interface ErrorProfile {
  /** ||L_t||^2 for t = 1..n (index t - 1). */
  rowNorm2: Float64Array;
  /** ||R||_{1->2}^2: the largest squared column norm of R. */
  sens2: number;
}

export interface Errors {
  n: number;
  maxSe: number;
  meanSe: number;
  sens2: number;
  maxRowNorm2: number;
  meanRowNorm2: number;
}

/** MaxSE and MeanSE of a profile at noise multiplier 1. */
export function errorsOf(profile: ErrorProfile): Errors {
  const n = profile.rowNorm2.length;
  let max = 0;
  let sum = 0;
  for (const v of profile.rowNorm2) {
    if (v > max) max = v;
    sum += v;
  }
  return {
    n,
    maxSe: max * profile.sens2,
    meanSe: (sum / n) * profile.sens2,
    sens2: profile.sens2,
    maxRowNorm2: max,
    meanRowNorm2: sum / n,
  };
}

/** Per-step variances Var(out_t) = ||L_t||^2 sens2 (index t - 1). */
export function variancesOf(profile: ErrorProfile): Float64Array {
  return profile.rowNorm2.map((v) => v * profile.sens2);
}

/** A dense matrix, row-major. */
export interface Dense {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function dense(rows: number, cols: number): Dense {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** The profile of explicit dense L (n x m) and R (m x n): for checks at small n. */
export function denseProfile(L: Dense, R: Dense): ErrorProfile {
  const rowNorm2 = new Float64Array(L.rows);
  for (let i = 0; i < L.rows; i++) {
    let sum = 0;
    for (let j = 0; j < L.cols; j++) sum += L.data[i * L.cols + j] ** 2;
    rowNorm2[i] = sum;
  }
  let sens2 = 0;
  for (let j = 0; j < R.cols; j++) {
    let sum = 0;
    for (let i = 0; i < R.rows; i++) sum += R.data[i * R.cols + j] ** 2;
    sens2 = Math.max(sens2, sum);
  }
  return { rowNorm2, sens2 };
}

/** Dense product C = X Y. */
export function matmul(X: Dense, Y: Dense): Dense {
  const out = dense(X.rows, Y.cols);
  for (let i = 0; i < X.rows; i++) {
    for (let k = 0; k < X.cols; k++) {
      const x = X.data[i * X.cols + k];
      if (x === 0) continue;
      for (let j = 0; j < Y.cols; j++) out.data[i * Y.cols + j] += x * Y.data[k * Y.cols + j];
    }
  }
  return out;
}

/** Dense lower-triangular Toeplitz matrix with first column s. */
export function denseToeplitz(s: ArrayLike<number>, n: number): Dense {
  const out = dense(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) out.data[i * n + j] = s[i - j];
  return out;
}
