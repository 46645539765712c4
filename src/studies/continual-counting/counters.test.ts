// Streaming counters: empirical error over seeded runs against the analytic
// variance, memory use, workload outputs, and input checks.
import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../../core/errors.js";
import { Rng } from "../../core/rng.js";
import type { MechanismName, StreamingCounter } from "./counters.js";
import { buildBinned, MECHANISMS, makeCounter, mechanismProfile } from "./counters.js";
import { errorsOf } from "./errors.js";
import { fillGaussian, SeededSource } from "./noise.js";
import { sqrtCoefficients, toeplitzMultiply, workloadCoefficients } from "./toeplitz.js";
import { treeLevels } from "./tree.js";

/** Squared errors summed over runs and coordinates, per step. */
function empiricalSquares(
  mechanism: MechanismName,
  options: { n: number; dim: number; runs: number; workload?: { alpha: number; beta: number } },
): { squares: Float64Array; samples: number; counter: StreamingCounter } {
  const { n, dim, runs } = options;
  const rng = new Rng(2024);
  const squares = new Float64Array(n);
  const workload = options.workload ?? { alpha: 1, beta: 0 };
  const a = workloadCoefficients(n, workload);
  let counter = makeCounter({
    mechanism,
    horizon: n,
    dim,
    noiseMultiplier: 1,
    random: new SeededSource(rng),
  });
  const binning = mechanism === "binned" ? buildBinned(n, workload, { d: 4 }) : undefined;
  // A fixed data stream; the exact workload output is a Toeplitz product of it.
  const stream = Array.from({ length: n }, (_, t) =>
    Float64Array.from({ length: dim }, (_, i) => Math.cos(3 * t + i)),
  );
  const exact = Array.from({ length: dim }, (_, i) =>
    toeplitzMultiply(
      a,
      stream.map((x) => x[i]),
    ),
  );
  for (let run = 0; run < runs; run++) {
    counter = makeCounter({
      mechanism,
      horizon: n,
      dim,
      noiseMultiplier: 1.7,
      sensitivity: 0.5,
      random: new SeededSource(rng.fork(run)),
      workload,
      binning,
    });
    for (let t = 0; t < n; t++) {
      const out = counter.add(stream[t]);
      for (let i = 0; i < dim; i++) squares[t] += (out[i] - exact[i][t]) ** 2;
    }
  }
  return { squares, samples: runs * dim, counter };
}

test("empirical squared error over seeded runs matches the analytic variance (all mechanisms)", () => {
  const n = 32;
  for (const mechanism of MECHANISMS) {
    const { squares, samples, counter } = empiricalSquares(mechanism, { n, dim: 50, runs: 160 });
    // Each step: 8000 independent squared Gaussians, standard error sqrt(2/8000) = 1.6%;
    // 5 standard errors per step, and the mean over steps (MeanSE) within 2%.
    let total = 0;
    let analytic = 0;
    for (let t = 1; t <= n; t++) {
      const ratio = squares[t - 1] / samples / counter.variance(t);
      assert.ok(
        Math.abs(ratio - 1) < 5 * Math.sqrt(2 / samples),
        `${mechanism} t=${t}: ratio ${ratio}`,
      );
      total += squares[t - 1] / samples;
      analytic += counter.variance(t);
    }
    assert.ok(Math.abs(total / analytic - 1) < 0.02, `${mechanism} mean: ${total / analytic}`);
    // The analytic variance is the profile's, scaled by (sigma Delta)^2.
    const profile = mechanismProfile(mechanism, n, { binning: { d: 4 } });
    const meanSe = errorsOf(profile).meanSe * (1.7 * 0.5) ** 2;
    assert.ok(Math.abs(analytic / n / meanSe - 1) < 1e-12);
  }
});

test("momentum workload: sqrt and binned counters output A_ab x plus noise of the right size", () => {
  const workload = { alpha: 0.99, beta: 0.9 };
  for (const mechanism of ["sqrt", "binned"] as const) {
    const { squares, samples, counter } = empiricalSquares(mechanism, {
      n: 24,
      dim: 40,
      runs: 150,
      workload,
    });
    for (let t = 1; t <= 24; t++) {
      const ratio = squares[t - 1] / samples / counter.variance(t);
      assert.ok(Math.abs(ratio - 1) < 5 * Math.sqrt(2 / samples), `${mechanism} t=${t}: ${ratio}`);
    }
  }
});

test("noise memory: tree <= levels vectors, binned = space vectors, sqrt = n vectors", () => {
  const n = 1000;
  const dim = 3;
  const source = () => new SeededSource(new Rng(1));
  const binning = buildBinned(n, { alpha: 1, beta: 0 }, { d: 8 });
  const counters = {
    independent: makeCounter({
      mechanism: "independent",
      horizon: n,
      dim,
      noiseMultiplier: 1,
      random: source(),
    }),
    tree: makeCounter({ mechanism: "tree", horizon: n, dim, noiseMultiplier: 1, random: source() }),
    honaker: makeCounter({
      mechanism: "tree-honaker",
      horizon: n,
      dim,
      noiseMultiplier: 1,
      random: source(),
    }),
    sqrt: makeCounter({ mechanism: "sqrt", horizon: n, dim, noiseMultiplier: 1, random: source() }),
    binned: makeCounter({
      mechanism: "binned",
      horizon: n,
      dim,
      noiseMultiplier: 1,
      random: source(),
      binning,
    }),
  };
  let binnedMax = 0;
  for (let t = 0; t < n; t++) {
    for (const counter of Object.values(counters)) counter.add([1, 2, 3]);
    binnedMax = Math.max(binnedMax, counters.binned.noiseMemoryFloats());
  }
  assert.equal(counters.independent.peakNoiseMemoryFloats, dim);
  assert.ok(counters.tree.peakNoiseMemoryFloats <= (treeLevels(n) + 1) * dim);
  assert.ok(counters.honaker.peakNoiseMemoryFloats <= (treeLevels(n) + 1) * dim);
  assert.equal(counters.sqrt.peakNoiseMemoryFloats, n * dim);
  assert.equal(binnedMax, binning.matrix.space * dim);
  assert.equal(counters.binned.peakNoiseMemoryFloats, binning.matrix.space * dim);
});

test("discrete Gaussian tree counter: integer noise, right variance, integer-only input", () => {
  const n = 16;
  const rng = new Rng(9);
  let squares = 0;
  let count = 0;
  for (let run = 0; run < 200; run++) {
    const counter = makeCounter({
      mechanism: "tree",
      horizon: n,
      dim: 20,
      noiseMultiplier: 0.8,
      noise: "discrete-gaussian",
      random: new SeededSource(rng.fork(run)),
    });
    let exact = 0;
    for (let t = 0; t < n; t++) {
      exact += t % 3;
      const out = counter.add(new Array(20).fill(t % 3));
      for (const v of out) {
        assert.ok(Number.isInteger(v), "the standard tree with integer noise outputs integers");
        if (t === n - 1) {
          squares += (v - exact) ** 2;
          count++;
        }
      }
    }
  }
  // t = 16 is a single node: variance sigma^2 levels = 0.64 * 5 (slightly less for N_Z).
  const ratio = squares / count / (0.64 * 5);
  assert.ok(Math.abs(ratio - 1) < 5 * Math.sqrt(2 / count), `ratio ${ratio}`);
  const counter = makeCounter({
    mechanism: "tree",
    horizon: 4,
    noiseMultiplier: 1,
    noise: "discrete-gaussian",
  });
  assert.throws(() => counter.add(0.5), /integer stream values/);
  assert.throws(
    () =>
      makeCounter({
        mechanism: "sqrt",
        horizon: 4,
        noiseMultiplier: 1,
        noise: "discrete-gaussian",
      }),
    /integer encoder/,
  );
});

test("counters reject bad input with usage errors", () => {
  const counter = makeCounter({
    mechanism: "binned",
    horizon: 2,
    dim: 2,
    noiseMultiplier: 1,
    binning: { d: 4 },
  });
  assert.equal(counter.randomKind, "crypto");
  assert.throws(() => counter.add(1), UsageError);
  assert.throws(() => counter.add([1, 2, 3]), UsageError);
  assert.throws(() => counter.add([1, Number.NaN]), UsageError);
  counter.add([1, 2]);
  counter.add([1, 2]);
  assert.throws(() => counter.add([1, 2]), /longer than the counter's horizon/);
  assert.throws(
    () => makeCounter({ mechanism: "sqrt", horizon: 0, noiseMultiplier: 1 }),
    UsageError,
  );
  assert.throws(
    () => makeCounter({ mechanism: "sqrt", horizon: 5, noiseMultiplier: -1 }),
    UsageError,
  );
  assert.throws(
    () =>
      makeCounter({
        mechanism: "tree",
        horizon: 5,
        noiseMultiplier: 1,
        workload: { alpha: 1, beta: 0.9 },
      }),
    /prefix sums only/,
  );
});

test("sqrt and binned counters add exactly L z for the z they draw (seeded replay)", () => {
  const n = 40;
  const dim = 3;
  const sigma = 1.3;
  for (const mechanism of ["sqrt", "binned"] as const) {
    const binning = buildBinned(n, { alpha: 1, beta: 0 }, { d: 3 });
    const counter = makeCounter({
      mechanism,
      horizon: n,
      dim,
      noiseMultiplier: sigma,
      random: new SeededSource(new Rng(77)),
      binning,
    });
    const noise: Float64Array[] = [];
    for (let t = 0; t < n; t++) noise.push(counter.add([0, 0, 0]));
    // Replay the draws: sqrt draws all n x dim at once, binned dim per step.
    const replay = new SeededSource(new Rng(77));
    const std = Math.sqrt(counter.noiseVariance);
    const z = new Float64Array(n * dim);
    if (mechanism === "sqrt") fillGaussian(replay, z, std);
    else
      for (let t = 0; t < n; t++) z.set(fillGaussian(replay, new Float64Array(dim), std), t * dim);
    const L = new Float64Array(n * n);
    if (mechanism === "sqrt") {
      const c = sqrtCoefficients(n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) L[i * n + j] = c[i - j];
    } else {
      const m = binning.matrix;
      for (let i = 0; i < n; i++) {
        for (let b = m.rowStart[i]; b < m.rowStart[i + 1]; b++) {
          for (let j = m.binStart[b]; j <= m.binEnd[b]; j++) L[i * n + j] = m.values[b];
        }
      }
    }
    for (let t = 0; t < n; t++) {
      for (let i = 0; i < dim; i++) {
        let expected = 0;
        for (let k = 0; k <= t; k++) expected += L[t * n + k] * z[k * dim + i];
        assert.ok(Math.abs(noise[t][i] - expected) < 1e-10, `${mechanism} t=${t} i=${i}`);
      }
    }
  }
});
