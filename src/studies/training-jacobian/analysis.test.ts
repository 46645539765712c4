import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/rng.js";
import {
  maxKl,
  median,
  randomSubspace,
  regionOf,
  spectrumSummary,
  subspaceOverlap,
  type Thresholds,
} from "./analysis.js";
import { loadDigits } from "./digits.js";
import { initParams, layout } from "./mlp.js";
import { referenceSpectra } from "./reference.js";
import { accuracy, trainInSpan } from "./span-training.js";
import { train } from "./training.js";

const thresholds: Thresholds = {
  chaoticAbove: 1.1,
  stableBelow: 0.9,
  bulkWithin: 1e-2,
  bulkTightWithin: 1e-3,
};

test("regions and counts follow the stated thresholds", () => {
  assert.equal(regionOf(1.2, thresholds), "chaotic");
  assert.equal(regionOf(1.005, thresholds), "bulk");
  assert.equal(regionOf(1.05, thresholds), null);
  assert.equal(regionOf(0.5, thresholds), "stable");
  const s = spectrumSummary(
    Float64Array.from([20, 1.2, 1.0005, 0.995, 0.95, 0.3, 1e-9]),
    thresholds,
  );
  assert.deepEqual(
    [s.chaotic, s.bulk, s.bulkTight, s.stable, s.max, s.min],
    [2, 2, 1, 2, 20, 1e-9],
  );
});

test("the reference spectrum gives the issue's region counts (697 / 1787 / 998 / 1103 of 4810)", (t) => {
  const reference = referenceSpectra().get("normal_seed0");
  if (!reference) {
    t.skip("data/training-jacobian/singular_values_numpy_f64.csv.gz is absent");
    return;
  }
  const s = spectrumSummary(reference, thresholds);
  assert.deepEqual(
    [s.count, s.chaotic, s.bulk, s.bulkTight, s.stable],
    [4810, 697, 1787, 998, 1103],
  );
  assert.ok(Math.abs(s.max - 20.9) < 0.01);
});

test("max-over-examples KL matches a hand computation", () => {
  const p = Float64Array.from([0.5, 0.5, 0.9, 0.1]);
  const q = Float64Array.from([0.5, 0.5, 0.6, 0.4]);
  const want = 0.9 * Math.log(0.9 / 0.6) + 0.1 * Math.log(0.1 / 0.4);
  assert.ok(Math.abs(maxKl(p, q, 2) - want) < 1e-15);
  assert.equal(median([3, 1, 2, 10]), 2.5);
});

test("random subspaces overlap by about max(d1, d2)/n; a subspace with itself by 1", () => {
  const n = 200;
  const rng = new Rng(4);
  const a = randomSubspace(20, n, rng);
  const b = randomSubspace(50, n, rng);
  const observed = subspaceOverlap(a, 20, b, 50, n);
  assert.ok(Math.abs(observed - 50 / n) < 0.06, `overlap ${observed} vs ${50 / n}`);
  assert.ok(Math.abs(subspaceOverlap(a, 20, a, 20, n) - 1) < 1e-12);
});

test("the LeCun-normal kernels are truncated at 2 sigma with variance 1/fan_in", () => {
  const shape = { inputs: 64, width: 64, classes: 10 };
  const theta = initParams(shape, new Rng(1));
  const at = layout(shape);
  const w1 = theta.subarray(at.w1, at.b1);
  const variance = w1.reduce((s, x) => s + x * x, 0) / w1.length;
  assert.ok(Math.abs(variance - 1 / 64) < 0.1 / 64, `variance ${variance}`);
  const bound = (2 * Math.sqrt(1 / 64)) / 0.8796256610342398;
  assert.ok(w1.every((x) => Math.abs(x) <= bound));
  const b1 = theta.subarray(at.b1, at.w2);
  const biasStd = Math.sqrt(b1.reduce((s, x) => s + x * x, 0) / b1.length);
  assert.ok(Math.abs(biasStd - 0.125) < 0.04, `bias std ${biasStd}`);
});

test("training in the span of all coordinates reproduces ordinary training to 1e-12", () => {
  const digits = loadDigits();
  const shape = { inputs: 64, width: 3, classes: 10 };
  const setup = {
    shape,
    train: digits.train,
    batchSize: 64,
    epochs: 2,
    learningRate: 0.1,
    momentum: 0.9,
  };
  const theta0 = initParams(shape, new Rng(2));
  const p = theta0.length;
  const identity = new Float64Array(p * p);
  for (let i = 0; i < p; i++) identity[i * p + i] = 1;
  const inSpan = trainInSpan(theta0, identity, p, setup);
  const plain = train(theta0, setup).final;
  for (let i = 0; i < p; i++) assert.ok(Math.abs(inSpan[i] - plain[i]) < 1e-12);
  assert.ok(accuracy(shape, plain, digits.test) > 0.3, "two epochs already learn something");
});

test("Lanczos quadrature finds the extremes of a known spectrum and its weights sum to 1", async () => {
  const { lanczosQuadrature, fractionBetween } = await import("./matrix-free.js");
  // diagonal operator: 30 values at exactly 1, 10 spread in [2, 20], 20 in [0.01, 0.5]
  const diag = Float64Array.from({ length: 60 }, (_, i) =>
    i < 30 ? 1 : i < 40 ? 2 + 2 * (i - 30) : 0.01 + 0.025 * (i - 40),
  );
  const q = lanczosQuadrature((v) => v.map((x, i) => diag[i] * x), 60, 60, new Rng(3));
  assert.ok(Math.abs(q.nodes[0] - 20) < 1e-9, `top ${q.nodes[0]}`);
  assert.ok(Math.abs(q.nodes[q.nodes.length - 1] - 0.01) < 1e-9);
  assert.ok(Math.abs(q.weights.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  // the repeated value is one node whose weight is the start vector's mass there
  const bulk = fractionBetween(q, 0.999, 1.001);
  assert.ok(bulk > 0.2 && bulk < 0.8, `bulk weight ${bulk}`);
});
