// The paper's analyses of a training Jacobian's SVD: the three regions of the
// spectrum, alignment of left and right singular vectors, how visible a
// singular direction is in the network's outputs in and out of distribution,
// and the overlap of bulk subspaces across seeds (principal angles).
import type { Rng } from "../../core/rng.js";
import { predict } from "./batch-loss.js";
import { orthonormalRows, principalCosines, type Svd } from "./linalg.js";
import type { MlpShape } from "./mlp.js";

/** Where the regions start: chaotic s > chaoticAbove, stable s < stableBelow, bulk |s - 1| < bulkWithin. */
export interface Thresholds {
  chaoticAbove: number;
  stableBelow: number;
  bulkWithin: number;
  /** A tighter bulk band, reported as a second count. */
  bulkTightWithin: number;
}

export type Region = "chaotic" | "bulk" | "stable";

export interface SpectrumSummary {
  count: number;
  chaotic: number;
  bulk: number;
  bulkTight: number;
  stable: number;
  thresholds: Thresholds;
  min: number;
  max: number;
}

/** The region of one singular value, or null between the bands. */
export function regionOf(s: number, t: Thresholds): Region | null {
  if (s > t.chaoticAbove) return "chaotic";
  if (s < t.stableBelow) return "stable";
  if (Math.abs(s - 1) < t.bulkWithin) return "bulk";
  return null;
}

/** Counts of the regions of a spectrum. */
export function spectrumSummary(s: Float64Array, t: Thresholds): SpectrumSummary {
  let chaotic = 0;
  let bulk = 0;
  let bulkTight = 0;
  let stable = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const x of s) {
    const r = regionOf(x, t);
    if (r === "chaotic") chaotic++;
    else if (r === "stable") stable++;
    else if (r === "bulk") bulk++;
    if (Math.abs(x - 1) < t.bulkTightWithin) bulkTight++;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  return { count: s.length, chaotic, bulk, bulkTight, stable, thresholds: t, min, max };
}

/** |<u_i, v_i>| for every singular triple. */
export function alignments(svd: Svd): Float64Array {
  const { n, u, v } = svd;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let dot = 0;
    for (let k = 0; k < n; k++) dot += u[i * n + k] * v[i * n + k];
    out[i] = Math.abs(dot);
  }
  return out;
}

/** Mean of `values` over indices where `keep` holds (NaN if none). */
export function meanWhere(values: Float64Array, keep: (i: number) => boolean): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (keep(i)) {
      sum += values[i];
      count++;
    }
  }
  return count ? sum / count : Number.NaN;
}

/** Up to `count` indices of a region, evenly spread over it. */
export function sampleRegion(
  s: Float64Array,
  t: Thresholds,
  region: Region,
  count: number,
): number[] {
  const all: number[] = [];
  s.forEach((x, i) => {
    if (regionOf(x, t) === region) all.push(i);
  });
  if (all.length <= count) return all;
  return Array.from({ length: count }, (_, k) => all[Math.floor(((k + 0.5) * all.length) / count)]);
}

/** max over examples of KL(p || q) between two probability tables (count x classes). */
export function maxKl(p: Float64Array, q: Float64Array, classes: number): number {
  let worst = 0;
  for (let b = 0; b < p.length / classes; b++) {
    let kl = 0;
    for (let o = 0; o < classes; o++) {
      const pi = p[b * classes + o];
      if (pi > 0) kl += pi * Math.log(pi / Math.max(q[b * classes + o], 1e-300));
    }
    worst = Math.max(worst, kl);
  }
  return worst;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
}

/** A named set of inputs on which output changes are measured. */
export interface ProbeSet {
  name: string;
  images: Float64Array;
  count: number;
}

/**
 * Median (over sampled directions of each region) of the max-over-examples
 * KL between the trained network's outputs and those after adding
 * `scale * u_i` (a unit left singular vector) to the final parameters,
 * averaged over the two signs of u_i.
 */
export function perturbationEffects(options: {
  shape: MlpShape;
  final: Float64Array;
  svd: Svd;
  thresholds: Thresholds;
  sets: ProbeSet[];
  scales: number[];
  directionsPerRegion: number;
}): { region: Region; scale: number; set: string; medianMaxKl: number; directions: number }[] {
  const { shape, final, svd, thresholds, sets, scales } = options;
  const n = svd.n;
  const base = sets.map((set) => predict(shape, final, set.images, set.count));
  const rows: {
    region: Region;
    scale: number;
    set: string;
    medianMaxKl: number;
    directions: number;
  }[] = [];
  for (const region of ["chaotic", "bulk", "stable"] as const) {
    const picks = sampleRegion(svd.s, thresholds, region, options.directionsPerRegion);
    for (const scale of scales) {
      const perSet: number[][] = sets.map(() => []);
      for (const i of picks) {
        // the sign of a singular pair is arbitrary: average the two signs
        const plus = Float64Array.from(final);
        const minus = Float64Array.from(final);
        for (let k = 0; k < n; k++) {
          plus[k] += scale * svd.u[i * n + k];
          minus[k] -= scale * svd.u[i * n + k];
        }
        sets.forEach((set, j) => {
          const qPlus = predict(shape, plus, set.images, set.count);
          const qMinus = predict(shape, minus, set.images, set.count);
          perSet[j].push(
            0.5 * (maxKl(base[j], qPlus, shape.classes) + maxKl(base[j], qMinus, shape.classes)),
          );
        });
      }
      sets.forEach((set, j) => {
        rows.push({
          region,
          scale,
          set: set.name,
          medianMaxKl: median(perSet[j]),
          directions: picks.length,
        });
      });
    }
  }
  return rows;
}

/** Right singular vectors (rows of v) whose values are in the bulk band. */
export function bulkBasis(svd: Svd, t: Thresholds): { rows: Float64Array; count: number } {
  const picks: number[] = [];
  svd.s.forEach((x, i) => {
    if (regionOf(x, t) === "bulk") picks.push(i);
  });
  const rows = new Float64Array(picks.length * svd.n);
  picks.forEach((i, k) => {
    rows.set(svd.v.subarray(i * svd.n, (i + 1) * svd.n), k * svd.n);
  });
  return { rows, count: picks.length };
}

/**
 * Overlap of two subspaces: the mean squared cosine of their principal
 * angles (1 = one contains the other, about max(d1, d2)/n for random ones).
 */
export function subspaceOverlap(
  a: Float64Array,
  rowsA: number,
  b: Float64Array,
  rowsB: number,
  n: number,
): number {
  if (rowsA === 0 || rowsB === 0) return Number.NaN;
  const cosines = principalCosines(a, rowsA, b, rowsB, n);
  let sum = 0;
  for (const c of cosines) sum += c * c;
  return sum / cosines.length;
}

/** A uniformly random subspace of dimension `rows` in R^n, as orthonormal rows. */
export function randomSubspace(rows: number, n: number, rng: Rng): Float64Array {
  const out = rng.normals(rows * n);
  orthonormalRows(out, rows, n);
  return out;
}
