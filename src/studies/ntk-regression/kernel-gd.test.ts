import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/rng.js";
import { spherePoints } from "./data.js";
import { gram } from "./kernel.js";
import {
  criticalRate,
  fitKernel,
  gdCoefficients,
  gdCoefficientsIterative,
  kernelComplexity,
  kernelEigenvalues,
  predict,
  ridgeCoefficients,
  ridgeSolve,
  stoppingStep,
} from "./kernel-gd.js";

// k eigenvalues equal to 1, the rest 0: R(eps) = eps sqrt(k/n) for eps <= 1, so
// eps_n = sigma0 sqrt(k/n) (the parametric rate) and the rule stops at
// T_hat = floor(n / (eta sigma0^2 k)) when that is not an integer.
test("eps_n and T_hat on a kernel with k unit eigenvalues", () => {
  const n = 100;
  const k = 4;
  const values = new Float64Array(n);
  values.fill(1, n - k);
  const sigma0 = 0.5;
  assert.ok(Math.abs(kernelComplexity(values, 0.3) - 0.3 * Math.sqrt(k / n)) < 1e-15);
  assert.ok(Math.abs(criticalRate(values, sigma0) - sigma0 * Math.sqrt(k / n)) < 1e-12);
  assert.equal(stoppingStep(values, 1.5, sigma0), Math.floor(n / (1.5 * sigma0 ** 2 * k)));
  assert.equal(stoppingStep(values, 1.3, 0.7), Math.floor(n / (1.3 * 0.49 * k)));
});

test("eps_n with polynomially decaying eigenvalues matches a brute-force scan", () => {
  const n = 500;
  const values = Float64Array.from({ length: n }, (_, i) => 0.5 / (i + 1) ** 2);
  const sigma0 = 0.5;
  const eps = criticalRate(values, sigma0);
  assert.ok(kernelComplexity(values, eps) <= (eps * eps) / sigma0 + 1e-15);
  const below = eps * (1 - 1e-9);
  assert.ok(kernelComplexity(values, below) > (below * below) / sigma0);
  const t = stoppingStep(values, 1, sigma0);
  // The rule's stop sits at 1/(eta eps_n^2) up to rounding.
  assert.ok(Math.abs(t + 1 - 1 / eps ** 2) <= 1, `T_hat ${t}, 1/eps^2 ${1 / eps ** 2}`);
});

function problem(n: number, seed: number) {
  const rng = new Rng(seed);
  const x = spherePoints(rng.fork("x"), n, 4, "uniform");
  const y = Float64Array.from({ length: n }, () => rng.normal());
  return { x, y, k: gram(x, x) };
}

test("the closed form of kernel GD equals the explicit iteration", () => {
  const n = 40;
  const { x, y, k } = problem(n, 5);
  const fit = fitKernel(k, y);
  const eta = 1.5;
  const alpha = new Float64Array(n);
  for (let t = 0; t < 37; t++) {
    const ka = predict(k, alpha);
    for (let i = 0; i < n; i++) alpha[i] -= (eta / n) * (ka[i] - y[i]);
  }
  const closed = gdCoefficients(fit, eta, 37);
  const test = spherePoints(new Rng(9), 20, 4, "uniform");
  const cross = gram(test, x);
  const a = predict(cross, alpha);
  const b = predict(cross, closed);
  for (let i = 0; i < 20; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-10, `point ${i}`);
});

test("kernel GD run long tends to kernel ridge regression with a vanishing ridge", () => {
  const n = 30;
  const { x, y, k } = problem(n, 6);
  const fit = fitKernel(k, y);
  assert.ok(fit.values[0] > 1e-6, "well-conditioned kernel matrix for this test");
  const test = spherePoints(new Rng(4), 15, 4, "uniform");
  const cross = gram(test, x);
  const krr = predict(cross, ridgeCoefficients(fit, 1e-12));
  const early = predict(cross, gdCoefficients(fit, 1, 10));
  const late = predict(cross, gdCoefficients(fit, 1, 1e9));
  let lateGap = 0;
  let earlyGap = 0;
  for (let i = 0; i < 15; i++) {
    lateGap = Math.max(lateGap, Math.abs(late[i] - krr[i]));
    earlyGap = Math.max(earlyGap, Math.abs(early[i] - krr[i]));
  }
  assert.ok(lateGap < 1e-6, `gap after 1e9 steps ${lateGap}`);
  assert.ok(earlyGap > 1e-2, "after 10 steps GD is still far from the interpolant");
  // KRR solves (K + n ridge I) alpha = y.
  const ridge = 0.01;
  const alpha = ridgeCoefficients(fit, ridge);
  const ka = predict(k, alpha);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(ka[i] + n * ridge * alpha[i] - y[i]) < 1e-10);
});

test("the fast paths (eigenvalues only, iterative GD, Cholesky KRR) agree with the eigenbasis", () => {
  const n = 60;
  const { y, k } = problem(n, 12);
  const fit = fitKernel(k, y);
  const values = kernelEigenvalues(k, n);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(values[i] - fit.values[i]) < 1e-13);
  const a = gdCoefficientsIterative(k, y, 1.2, 45);
  const b = gdCoefficients(fit, 1.2, 45);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-9 * (1 + Math.abs(b[i])));
  const c = ridgeSolve(k, y, 0.003);
  const d = ridgeCoefficients(fit, 0.003);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(c[i] - d[i]) < 1e-9 * (1 + Math.abs(d[i])));
});
