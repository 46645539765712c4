// Samplers: Gaussian moments from the secure generator, and the discrete
// Gaussian's probabilities against its exact mass function.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/rng.js";
import {
  bernoulliExpNeg,
  CryptoSource,
  discreteGaussian,
  discreteGaussianVariance,
  fillGaussian,
  rationalOf,
  SeededSource,
  uniformBigInt,
} from "./noise.js";

test("Gaussian samples from the CSPRNG have mean 0 and variance std^2", () => {
  const source = new CryptoSource();
  assert.equal(source.kind, "crypto");
  const count = 200000;
  const x = fillGaussian(source, new Float64Array(count), 3);
  let mean = 0;
  for (const v of x) mean += v;
  mean /= count;
  let variance = 0;
  let fourth = 0;
  for (const v of x) {
    variance += (v - mean) ** 2;
    fourth += v ** 4;
  }
  variance /= count;
  fourth /= count;
  // 6 standard errors: a false failure has probability about 1e-9.
  assert.ok(Math.abs(mean) < (6 * 3) / Math.sqrt(count), `mean ${mean}`);
  assert.ok(Math.abs(variance / 9 - 1) < 6 * Math.sqrt(2 / count), `variance ${variance}`);
  // Fourth moment 3 std^4 (a Gaussian, not merely any distribution with this variance).
  assert.ok(Math.abs(fourth / 243 - 1) < 6 * Math.sqrt(96 / 9 / count), `fourth ${fourth}`);
});

test("rationalOf is exact and uniformBigInt stays in range", () => {
  const r = rationalOf(0.1);
  assert.equal(Number(r.p) / Number(r.q), 0.1);
  assert.deepEqual(rationalOf(6), { p: 6n, q: 1n });
  const source = new SeededSource(new Rng(3));
  const counts = [0, 0, 0];
  for (let i = 0; i < 30000; i++) counts[Number(uniformBigInt(source, 3n))]++;
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 6 * Math.sqrt(30000 * (2 / 9)));
});

test("Bernoulli(exp(-gamma)) frequencies for gamma = 1/3 and 7/4", () => {
  const source = new SeededSource(new Rng(5));
  for (const [p, q] of [
    [1n, 3n],
    [7n, 4n],
  ]) {
    const target = Math.exp(-Number(p) / Number(q));
    const trials = 40000;
    let hits = 0;
    for (let i = 0; i < trials; i++) if (bernoulliExpNeg(source, p, q)) hits++;
    const se = Math.sqrt((target * (1 - target)) / trials);
    assert.ok(
      Math.abs(hits / trials - target) < 5 * se,
      `${p}/${q}: ${hits / trials} vs ${target}`,
    );
  }
});

test("discrete Gaussian frequencies match exp(-k^2 / (2 sigma^2)) / Z (sigma^2 = 1.5)", () => {
  const source = new SeededSource(new Rng(11));
  const sigma2 = 1.5;
  const trials = 40000;
  const counts = new Map<number, number>();
  let sumSquares = 0;
  for (let i = 0; i < trials; i++) {
    const k = Number(discreteGaussian(source, rationalOf(sigma2)));
    counts.set(k, (counts.get(k) ?? 0) + 1);
    sumSquares += k * k;
  }
  let normaliser = 0;
  for (let k = -30; k <= 30; k++) normaliser += Math.exp((-k * k) / (2 * sigma2));
  // Chi-square over k = -4..4 plus the two tails lumped: 10 degrees of freedom.
  let chi2 = 0;
  let inner = 0;
  for (let k = -4; k <= 4; k++) {
    const expected = (trials * Math.exp((-k * k) / (2 * sigma2))) / normaliser;
    inner += expected;
    chi2 += ((counts.get(k) ?? 0) - expected) ** 2 / expected;
  }
  let tail = 0;
  for (const [k, c] of counts) if (Math.abs(k) > 4) tail += c;
  chi2 += (tail - (trials - inner)) ** 2 / (trials - inner);
  assert.ok(chi2 < 35, `chi-square ${chi2} (99.99th percentile of chi2(9) is about 33.7)`);
  const variance = discreteGaussianVariance(sigma2);
  assert.ok(variance < sigma2 && variance > 0.99 * sigma2);
  assert.ok(Math.abs(sumSquares / trials / variance - 1) < 0.05);
});
