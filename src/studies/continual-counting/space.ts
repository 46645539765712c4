// The space study of Andersson & Pagh (Figs. 3 and 5): how many bins binned
// sqrt(A) needs to match sqrt(A)'s MeanSE / MaxSE within a factor, following the
// paper's procedure (try d = 2, 3, ... with c = 1 - 1/d, tau = 1/n; report the
// space at the first d that reaches the factor), and relative error against space.
import { binnedProfile, binToeplitz } from "./binning.js";
import { errorsOf } from "./errors.js";
import type { Workload } from "./toeplitz.js";
import { prefixSquares, sqrtWorkloadCoefficients, workloadCoefficients } from "./toeplitz.js";

/** One binned factorisation's space and error ratios against sqrt of the same workload. */
export interface SweepPoint {
  d: number;
  space: number;
  maxRatio: number;
  meanRatio: number;
  maxSe: number;
  meanSe: number;
}

/** Errors of sqrt(workload) (L = R = its Toeplitz square root). */
export function sqrtErrors(n: number, workload: Workload) {
  const rowNorm2 = prefixSquares(sqrtWorkloadCoefficients(n, workload));
  return errorsOf({ rowNorm2, sens2: rowNorm2[n - 1] });
}

/** Binned sqrt(workload) at parameter d, compared with sqrt(workload). */
export function sweepPoint(n: number, workload: Workload, d: number): SweepPoint {
  return sweepPointWith(n, workload, d, sqrtWorkloadCoefficients(n, workload));
}

/** sweepPoint at several d, computing sqrt(workload) once. */
export function sweepPoints(n: number, workload: Workload, ds: number[]): SweepPoint[] {
  const s = sqrtWorkloadCoefficients(n, workload);
  return ds.map((d) => sweepPointWith(n, workload, d, s));
}

/** sweepPoint with sqrt(workload)'s first column `s` already computed. */
function sweepPointWith(n: number, workload: Workload, d: number, s: Float64Array): SweepPoint {
  const matrix = binToeplitz(s, 1 - 1 / d, 1 / n);
  const binned = errorsOf(binnedProfile(matrix, workloadCoefficients(n, workload)));
  const rowNorm2 = prefixSquares(s);
  const base = errorsOf({ rowNorm2, sens2: rowNorm2[n - 1] });
  return {
    d,
    space: matrix.space,
    maxRatio: binned.maxSe / base.maxSe,
    meanRatio: binned.meanSe / base.meanSe,
    maxSe: binned.maxSe,
    meanSe: binned.meanSe,
  };
}

/** The paper's n grid: n <- ceil(1.1 n) from 2, ending at nMax, kept within [nMin, nMax]. */
export function paperGrid(nMin: number, nMax: number): number[] {
  const out: number[] = [];
  let n = 2;
  for (;;) {
    if (n >= nMin && n < nMax) out.push(n);
    n = Math.ceil(n * 1.1);
    if (n >= nMax) break;
  }
  out.push(nMax);
  return out;
}

export type Metric = "meanse" | "maxse";

export interface SpaceRow {
  n: number;
  factor: number;
  metric: Metric;
  /** Space at the first d whose ratio is at most the factor; null if none up to maxD. */
  space: number | null;
  d: number | null;
}

/**
 * For each factor and metric, the space at the first integer d >= 2 whose binned
 * error is at most factor x sqrt(A)'s (the paper's stopping rule, so space need
 * not be monotone in n). One sweep over d serves every factor and metric.
 */
export function smallestSpaces(
  n: number,
  factors: number[],
  options: { maxD?: number; workload?: Workload } = {},
): SpaceRow[] {
  const workload = options.workload ?? { alpha: 1, beta: 0 };
  const maxD = options.maxD ?? 200;
  const base = sqrtErrors(n, workload);
  const found = new Map<string, SpaceRow>();
  const key = (metric: Metric, factor: number) => `${metric}:${factor}`;
  const s = sqrtWorkloadCoefficients(n, workload);
  for (let d = 2; d <= maxD && found.size < 2 * factors.length; d++) {
    const point = sweepPointWith(n, workload, d, s);
    for (const factor of factors) {
      if (!found.has(key("meanse", factor)) && !(point.meanSe > factor * base.meanSe)) {
        found.set(key("meanse", factor), { n, factor, metric: "meanse", space: point.space, d });
      }
      if (!found.has(key("maxse", factor)) && !(point.maxSe > factor * base.maxSe)) {
        found.set(key("maxse", factor), { n, factor, metric: "maxse", space: point.space, d });
      }
    }
  }
  const rows: SpaceRow[] = [];
  for (const metric of ["meanse", "maxse"] as const) {
    for (const factor of factors) {
      rows.push(found.get(key(metric, factor)) ?? { n, factor, metric, space: null, d: null });
    }
  }
  return rows;
}
