// Linear programs in standard form, min c^T z s.t. A z = b, z >= 0, by the
// two-phase dense tableau simplex method with Bland's rule (no cycling).
// Meant for small problems (tens of rows, hundreds of columns).

export interface LpResult {
  status: "optimal" | "infeasible" | "unbounded";
  z: Float64Array;
  objective: number;
}

const EPS = 1e-10;

export function simplex(
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  rows: number,
  cols: number,
): LpResult {
  if (a.length !== rows * cols || b.length !== rows || c.length !== cols) {
    throw new RangeError(`simplex: A must be ${rows}x${cols}, b ${rows}, c ${cols}`);
  }
  // tableau with artificial columns: [A | I | b], rows flipped so b >= 0
  const width = cols + rows + 1;
  const t = new Float64Array((rows + 1) * width);
  for (let i = 0; i < rows; i++) {
    const sign = b[i] < 0 ? -1 : 1;
    for (let j = 0; j < cols; j++) t[i * width + j] = sign * a[i * cols + j];
    t[i * width + cols + i] = 1;
    t[i * width + width - 1] = sign * b[i];
  }
  const basis = Int32Array.from({ length: rows }, (_, i) => cols + i);
  const obj = rows * width;

  // phase 1: minimise the sum of artificials
  for (let j = 0; j < width; j++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += t[i * width + j];
    t[obj + j] = j >= cols && j < cols + rows ? 0 : -s;
  }
  if (!iterate(t, basis, rows, width, cols + rows))
    throw new Error("simplex: phase 1 unbounded (cannot happen)");
  if (-t[obj + width - 1] > 1e-8)
    return { status: "infeasible", z: new Float64Array(cols), objective: NaN };
  // drive artificials out of the basis where possible
  for (let i = 0; i < rows; i++) {
    if (basis[i] < cols) continue;
    for (let j = 0; j < cols; j++) {
      if (Math.abs(t[i * width + j]) > EPS) {
        pivot(t, basis, rows, width, i, j);
        break;
      }
    }
  }

  // phase 2: the real objective over the original columns
  for (let j = 0; j < width; j++) t[obj + j] = j < cols ? c[j] : 0;
  for (let i = 0; i < rows; i++) {
    const k = basis[i];
    const ck = k < cols ? c[k] : 0;
    if (ck === 0) continue;
    for (let j = 0; j < width; j++) t[obj + j] -= ck * t[i * width + j];
  }
  if (!iterate(t, basis, rows, width, cols))
    return { status: "unbounded", z: new Float64Array(cols), objective: -Infinity };
  const z = new Float64Array(cols);
  for (let i = 0; i < rows; i++) if (basis[i] < cols) z[basis[i]] = t[i * width + width - 1];
  let objective = 0;
  for (let j = 0; j < cols; j++) objective += c[j] * z[j];
  return { status: "optimal", z, objective };
}

/**
 * Pivots until no entering column among the first `allowed` has a negative
 * reduced cost. Dantzig's rule (most negative reduced cost) with a ratio test
 * that only pivots on entries well above round-off and prefers the largest
 * pivot among ties; after a run of degenerate pivots it switches to Bland's
 * rule, which cannot cycle. Returns false when the problem is unbounded.
 */
function iterate(
  t: Float64Array,
  basis: Int32Array,
  rows: number,
  width: number,
  allowed: number,
): boolean {
  const obj = rows * width;
  const rhs = width - 1;
  let degenerate = 0;
  const limit = 50 * (rows + width);
  for (let iteration = 0; iteration < limit; iteration++) {
    const bland = degenerate > 2 * rows;
    const skipped = new Set<number>();
    for (;;) {
      let enter = -1;
      let mostNegative = -EPS;
      for (let j = 0; j < allowed; j++) {
        if (skipped.has(j) || t[obj + j] >= mostNegative) continue;
        enter = j;
        if (bland) break;
        mostNegative = t[obj + j];
      }
      if (enter === -1) return true;
      let columnScale = 0;
      for (let i = 0; i < rows; i++)
        columnScale = Math.max(columnScale, Math.abs(t[i * width + enter]));
      const pivotTolerance = Math.max(1e-9, 1e-9 * columnScale);
      let leave = -1;
      let best = Infinity;
      for (let i = 0; i < rows; i++) {
        const aij = t[i * width + enter];
        if (aij <= pivotTolerance) continue;
        const ratio = Math.max(0, t[i * width + rhs]) / aij;
        const tie = leave !== -1 && Math.abs(ratio - best) <= 1e-12 * Math.max(1, best);
        if (tie) {
          const better = bland ? basis[i] < basis[leave] : aij > t[leave * width + enter];
          if (better) leave = i;
        } else if (ratio < best) {
          best = ratio;
          leave = i;
        }
      }
      if (leave === -1) {
        // no pivot: a true ray when the column is non-positive, else round-off
        if (columnScale <= EPS || [...Array(rows).keys()].every((i) => t[i * width + enter] <= EPS))
          return false;
        skipped.add(enter);
        continue;
      }
      degenerate = best <= 1e-12 ? degenerate + 1 : 0;
      pivot(t, basis, rows, width, leave, enter);
      break;
    }
  }
  throw new Error(`simplex: no optimum after ${limit} pivots`);
}

function pivot(
  t: Float64Array,
  basis: Int32Array,
  rows: number,
  width: number,
  r: number,
  col: number,
): void {
  const p = t[r * width + col];
  for (let j = 0; j < width; j++) t[r * width + j] /= p;
  for (let i = 0; i <= rows; i++) {
    if (i === r) continue;
    const f = t[i * width + col];
    if (f === 0) continue;
    for (let j = 0; j < width; j++) t[i * width + j] -= f * t[r * width + j];
  }
  basis[r] = col;
}

/** The minimum-l1-norm solution of X beta = y (basis pursuit), X row-major n x d. */
export function minimumL1Interpolator(
  x: Float64Array,
  y: Float64Array,
  n: number,
  d: number,
): Float64Array {
  // beta = p - q with p, q >= 0: min 1^T (p + q) s.t. [X, -X] [p; q] = y
  const a = new Float64Array(n * 2 * d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      a[i * 2 * d + j] = x[i * d + j];
      a[i * 2 * d + d + j] = -x[i * d + j];
    }
  const result = simplex(a, y, new Float64Array(2 * d).fill(1), n, 2 * d);
  if (result.status !== "optimal")
    throw new Error(`minimumL1Interpolator: the LP is ${result.status}`);
  const beta = new Float64Array(d);
  for (let j = 0; j < d; j++) beta[j] = result.z[j] - result.z[d + j];
  return beta;
}
