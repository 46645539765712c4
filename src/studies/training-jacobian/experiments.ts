// Two experiments on a finished SVD: training restricted to the span of
// singular directions of each region, and matrix-free Lanczos estimates of
// the spectrum checked against the dense values.
import type { StudyContext } from "../../core/study.js";
import { randomSubspace, regionOf, type Thresholds } from "./analysis.js";
import type { Config } from "./config.js";
import type { DigitSet } from "./digits.js";
import type { Svd } from "./linalg.js";
import { fractionBetween, trainingGramQuadrature } from "./matrix-free.js";
import type { MlpShape } from "./mlp.js";
import type { RunResult } from "./run.js";
import { accuracy, trainInSpan } from "./span-training.js";
import type { TrainSetup } from "./training.js";

/** Extreme singular values and the bulk fraction from Lanczos on J^T J, beside the dense values. */
export function lanczosEstimates(main: RunResult, config: Config, ctx: StudyContext) {
  const steps = Math.min(config.lanczosSteps, main.s.length);
  if (steps < 2) return null;
  ctx.progress({ stage: "lanczos", done: 0, total: 1, message: `${steps} steps` });
  const q = trainingGramQuadrature(main.trajectory, steps, ctx.rng.fork("lanczos"));
  ctx.progress({ stage: "lanczos", done: 1, total: 1 });
  const sing = Array.from(q.nodes, (x) => Math.sqrt(Math.max(x, 0)));
  const n = main.s.length;
  // a wide band around one: a few dozen quadrature nodes cannot resolve a narrow one
  const low = 0.5;
  const high = 2;
  const inBand = main.s.filter((x) => x >= low && x <= high).length;
  return {
    steps,
    top: sing.slice(0, 3),
    denseTop: Array.from(main.s.slice(0, 3)),
    smallest: sing[sing.length - 1],
    denseSmallest: main.s[n - 1],
    band: [low, high],
    bulkFraction: fractionBetween(q, low, high),
    denseBulkFraction: inBand / n,
  };
}

/** U diag(s) V^T x. */
export function svdApply(svd: Svd, x: Float64Array): Float64Array {
  const n = svd.n;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let w = 0;
    for (let k = 0; k < n; k++) w += svd.v[i * n + k] * x[k];
    w *= svd.s[i];
    for (let k = 0; k < n; k++) out[k] += svd.u[i * n + k] * w;
  }
  return out;
}

/** Rows `picks` of a row-major matrix with n columns. */
function rowsOf(matrix: Float64Array, n: number, picks: number[]): Float64Array {
  const out = new Float64Array(picks.length * n);
  picks.forEach((i, k) => {
    out.set(matrix.subarray(i * n, (i + 1) * n), k * n);
  });
  return out;
}

/**
 * Trains from theta_0 inside the span of the k most chaotic, most bulk-like
 * (closest to 1) and most stable right singular vectors, and of k random
 * directions (k = the stable count, capped by spanDirections).
 */
export function spanExperiment(
  shape: MlpShape,
  theta0: Float64Array,
  svd: Svd,
  thresholds: Thresholds,
  config: Config,
  setup: TrainSetup,
  digits: { test: DigitSet },
  ctx: StudyContext,
): { subspace: string; directions: number; trainAccuracy: number; testAccuracy: number }[] {
  const n = svd.n;
  const indices = Array.from({ length: n }, (_, i) => i);
  const of = (region: string) => indices.filter((i) => regionOf(svd.s[i], thresholds) === region);
  const chaotic = of("chaotic").slice(0, config.spanDirections);
  const bulk = of("bulk")
    .sort((a, b) => Math.abs(svd.s[a] - 1) - Math.abs(svd.s[b] - 1))
    .slice(0, config.spanDirections);
  const stable = of("stable").reverse().slice(0, config.spanDirections);
  const k = Math.max(1, stable.length);
  const subspaces: [string, Float64Array, number][] = [
    ["chaotic", rowsOf(svd.v, n, chaotic), chaotic.length],
    ["bulk", rowsOf(svd.v, n, bulk), bulk.length],
    ["stable", rowsOf(svd.v, n, stable), stable.length],
    ["random", randomSubspace(k, n, ctx.rng.fork("span-random")), k],
  ];
  return subspaces.map(([subspace, basis, count], i) => {
    const theta = trainInSpan(theta0, basis, count, setup);
    ctx.progress({ stage: "span training", done: i + 1, total: subspaces.length });
    const row = {
      subspace,
      directions: count,
      trainAccuracy: accuracy(shape, theta, setup.train),
      testAccuracy: accuracy(shape, theta, digits.test),
    };
    ctx.metric({ kind: "span", ...row });
    return row;
  });
}
