// Binning a lower-triangular Toeplitz matrix row by row, after Andersson & Pagh,
// "Streaming Private Continual Counting via Binning" (SaTML 2025), Algorithm 1:
// each row of L is a few constant runs (bins) that only ever merge as rows
// advance, so streaming keeps one running noise sum per bin. Parameters c in
// (0, 1) (we use c = 1 - 1/d) and threshold tau; a bin's value is the mean of the
// original row's entries at the bin's two ends. R = L^{-1} A is solved exactly.
import { UsageError } from "../../core/errors.js";
import type { ErrorProfile } from "./errors.js";

/**
 * The binned decoder L, stored by rows. Bins of row i are listed from the
 * diagonal outward: bin 0 is the singleton {i}. Row i's bins are formed by
 * prepending {i} to row i-1's bins and merging consecutive runs of them; `groups`
 * gives how many of those input bins each output bin takes.
 */
export interface BinnedMatrix {
  n: number;
  /** The largest number of bins in a row: the floats (per coordinate) kept while streaming. */
  space: number;
  c: number;
  tau: number;
  /** rowStart[i]..rowStart[i+1]: row i's bins in the flat arrays below. */
  rowStart: Int32Array;
  /** Number of input bins merged into each output bin. */
  groups: Int32Array;
  /** Value of L on each bin. */
  values: Float64Array;
  /** First (farthest from the diagonal) and last column of each bin, 0-based. */
  binStart: Int32Array;
  binEnd: Int32Array;
}

/** The bins of one row, diagonal outward, as [start, end] column pairs. */
export function rowBins(matrix: BinnedMatrix, row: number): [number, number][] {
  const out: [number, number][] = [];
  for (let b = matrix.rowStart[row]; b < matrix.rowStart[row + 1]; b++) {
    out.push([matrix.binStart[b], matrix.binEnd[b]]);
  }
  return out;
}

/**
 * One row of Algorithm 1. `starts`/`ends` hold the bins diagonal outward (the new
 * singleton first); `entry(col)` reads the unbinned row. Returns the group sizes.
 * A bin [left, right] is compared with the entry just right of it, r[right+1]:
 * it absorbs the following (farther) bins while its own ratio r[left]/r[right+1]
 * stays above c and the merged ratio stays at least c^2; entries below tau, or a
 * zero neighbour, send everything farther into one bin.
 */
function mergeRow(
  starts: number[],
  ends: number[],
  entry: (col: number) => number,
  c: number,
  tau: number,
): number[] {
  const m = starts.length;
  const groups = [1];
  let idx = 1;
  while (idx < m - 1) {
    const anchor = entry(ends[idx] + 1);
    let last = -1;
    if (anchor === 0 || entry(ends[idx]) < tau) {
      last = m - 1;
    } else {
      let ratio = entry(starts[idx]) / anchor;
      for (let next = idx + 1; next < m; next++) {
        const nextRatio = entry(starts[next]) / anchor;
        if (!(ratio > c && nextRatio >= c * c)) break;
        if (entry(starts[next]) < tau) {
          last = m - 1;
          break;
        }
        last = next;
        ratio = nextRatio;
      }
    }
    if (last < 0) {
      groups.push(1);
      idx++;
    } else {
      groups.push(last - idx + 1);
      idx = last + 1;
    }
  }
  if (idx === m - 1) groups.push(1);
  return groups;
}

/**
 * Bins the n x n lower-triangular Toeplitz matrix with first column `s`
 * (entries in [0, 1], s_0 = 1) by Algorithm 1 with parameters c and tau.
 */
export function binToeplitz(s: Float64Array, c: number, tau: number): BinnedMatrix {
  const n = s.length;
  if (!(c > 0 && c < 1)) throw new UsageError(`binning needs 0 < c < 1, got c=${c}`);
  if (!(tau > 0 && tau < 1)) throw new UsageError(`binning needs 0 < tau < 1, got tau=${tau}`);
  const rowStart = new Int32Array(n + 1);
  const groups: number[] = [];
  const values: number[] = [];
  const binStart: number[] = [];
  const binEnd: number[] = [];
  let starts: number[] = [];
  let ends: number[] = [];
  let space = 0;
  for (let i = 0; i < n; i++) {
    const entry = (col: number) => s[i - col];
    starts.unshift(i);
    ends.unshift(i);
    const rowGroups = mergeRow(starts, ends, entry, c, tau);
    const nextStarts: number[] = [];
    const nextEnds: number[] = [];
    let k = 0;
    for (const size of rowGroups) {
      nextEnds.push(ends[k]);
      nextStarts.push(starts[k + size - 1]);
      k += size;
    }
    starts = nextStarts;
    ends = nextEnds;
    space = Math.max(space, starts.length);
    rowStart[i] = groups.length;
    for (let b = 0; b < starts.length; b++) {
      groups.push(rowGroups[b]);
      values.push(0.5 * (entry(starts[b]) + entry(ends[b])));
      binStart.push(starts[b]);
      binEnd.push(ends[b]);
    }
  }
  rowStart[n] = groups.length;
  return {
    n,
    space,
    c,
    tau,
    rowStart,
    groups: Int32Array.from(groups),
    values: Float64Array.from(values),
    binStart: Int32Array.from(binStart),
    binEnd: Int32Array.from(binEnd),
  };
}

/** ||L_t||^2 of the binned matrix: sum over bins of size * value^2. */
export function binnedRowNorms(matrix: BinnedMatrix): Float64Array {
  const out = new Float64Array(matrix.n);
  for (let i = 0; i < matrix.n; i++) {
    let sum = 0;
    for (let b = matrix.rowStart[i]; b < matrix.rowStart[i + 1]; b++) {
      sum += (matrix.binEnd[b] - matrix.binStart[b] + 1) * matrix.values[b] ** 2;
    }
    out[i] = sum;
  }
  return out;
}

/**
 * Squared column norms of R = L^{-1} W for the Toeplitz workload W with first
 * column `a`, solved exactly by forward substitution on all n columns at once:
 * row i of R is (W_i - sum over bins of value * (sum of the bin's rows of R)) /
 * value_0, and the bin sums merge as the bins do. Columns are processed in
 * blocks so that the bin sums stay in cache. Time O(n^2 space / 2), memory
 * O(block space).
 */
export function binnedColumnNorms(
  matrix: BinnedMatrix,
  a: Float64Array,
  block = 512,
): Float64Array {
  const n = matrix.n;
  const norms = new Float64Array(n);
  for (let j0 = 0; j0 < n; j0 += block) {
    solveColumnBlock(matrix, a, j0, Math.min(n, j0 + block), norms);
  }
  return norms;
}

/** Forward substitution for columns j0..j1-1 of R; adds squared entries into `norms`. */
function solveColumnBlock(
  matrix: BinnedMatrix,
  a: Float64Array,
  j0: number,
  j1: number,
  norms: Float64Array,
): void {
  const width = j1 - j0;
  const pool: Float64Array[] = [];
  // A bin's running sum of R's rows over this block; null while it is all zero
  // (every row above j0 is zero in these columns).
  let sums: (Float64Array | null)[] = [];
  for (let i = 0; i < matrix.n; i++) {
    const first = matrix.rowStart[i];
    const count = matrix.rowStart[i + 1] - first;
    const merged: (Float64Array | null)[] = [];
    let k = 0;
    for (let b = 1; b < count; b++) {
      const size = matrix.groups[first + b];
      let target = sums[k];
      for (let extra = 1; extra < size; extra++) {
        const other = sums[k + extra];
        if (!other) continue;
        if (!target) {
          target = other;
          continue;
        }
        for (let j = 0; j < width; j++) target[j] += other[j];
        pool.push(other);
      }
      merged.push(target);
      k += size;
    }
    if (i < j0) {
      sums = [null, ...merged];
      continue;
    }
    // Row i of R on columns j0..min(i, j1 - 1).
    const last = Math.min(i, j1 - 1) - j0;
    const y = pool.pop() ?? new Float64Array(width);
    y.fill(0);
    for (let j = 0; j <= last; j++) y[j] = a[i - j0 - j];
    for (let b = 1; b < count; b++) {
      const S = merged[b - 1];
      if (!S) continue;
      const v = matrix.values[first + b];
      for (let j = 0; j <= last; j++) y[j] -= v * S[j];
    }
    const diagonal = matrix.values[first];
    for (let j = 0; j <= last; j++) {
      y[j] /= diagonal;
      norms[j0 + j] += y[j] * y[j];
    }
    sums = [y, ...merged];
  }
}

/** The error profile of the binned factorisation of workload column `a`. */
export function binnedProfile(matrix: BinnedMatrix, a: Float64Array): ErrorProfile {
  const columns = binnedColumnNorms(matrix, a);
  let sens2 = 0;
  for (const v of columns) sens2 = Math.max(sens2, v);
  return { rowNorm2: binnedRowNorms(matrix), sens2 };
}
