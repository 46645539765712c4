// Error analysis against the reference values in data/dp (see its README) and
// against dense matrices built from the definitions.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { denseProfile, denseToeplitz, errorsOf, matmul, variancesOf } from "./errors.js";
import {
  inverseSqrtCoefficients,
  prefixSquares,
  sqrtCoefficients,
  sqrtWorkloadCoefficients,
  toeplitzMultiply,
  workloadCoefficients,
} from "./toeplitz.js";
import { denseTree, honakerProfile, treeNodes, treeProfile } from "./tree.js";

const reference = JSON.parse(
  readFileSync(
    new URL("../../../data/dp/continual_counting_reference.json", import.meta.url),
    "utf8",
  ),
);

function close(actual: number, expected: number, rel: number, label: string): void {
  const error = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(
    error <= rel,
    `${label}: ${actual} vs ${expected} (relative error ${error.toExponential(2)} > ${rel})`,
  );
}

function sqrtProfile(n: number) {
  const rowNorm2 = prefixSquares(sqrtCoefficients(n));
  return { rowNorm2, sens2: rowNorm2[n - 1] };
}

test("c_k and d_k match the reference's first 32 coefficients", () => {
  const c = sqrtCoefficients(32);
  const d = inverseSqrtCoefficients(32);
  for (let k = 0; k < 32; k++) {
    close(c[k], reference.toeplitz_coefficients.c_k_first_32[k], 1e-15, `c_${k}`);
    if (k > 0) close(d[k], reference.toeplitz_coefficients.d_k_first_32[k], 1e-14, `d_${k}`);
  }
  // sqrt(A) sqrt(A) = A and sqrt(A)^{-1} sqrt(A) = I, as Toeplitz convolutions.
  const square = toeplitzMultiply(c, c);
  const identity = toeplitzMultiply(d, c);
  for (let k = 0; k < 32; k++) {
    assert.ok(Math.abs(square[k] - 1) < 1e-14);
    assert.ok(Math.abs(identity[k] - (k === 0 ? 1 : 0)) < 1e-14);
  }
});

test("sqrt(A) MaxSE and MeanSE at n = 256, 1024, 4096, 10000 to 1e-6 relative", () => {
  for (const n of [256, 1024, 4096, 10000]) {
    const expected = reference.n_values[n].sqrt_factorization;
    const errors = errorsOf(sqrtProfile(n));
    close(errors.maxSe, expected.maxse, 1e-6, `sqrt maxse n=${n}`);
    close(errors.meanSe, expected.meanse, 1e-6, `sqrt meanse n=${n}`);
    close(errors.sens2, expected.sens2, 1e-6, `sqrt sens2 n=${n}`);
    // The asymptotic fit (ln n + gamma + ln 16) / pi: the reference's value, and
    // within 2e-4 relative of the exact sum for n >= 256.
    const fit = (Math.log(n) + 0.5772156649015329 + Math.log(16)) / Math.PI;
    close(fit, reference.n_values[n].asymptotic_check_sum_c_sq, 1e-12, `fit n=${n}`);
    close(errors.sens2, fit, 2e-4, `sens2 vs fit n=${n}`);
  }
});

test("binary tree and online Honaker MaxSE, MeanSE, sens2 match the reference", () => {
  for (const n of [256, 1024, 4096, 10000]) {
    const ref = reference.n_values[n];
    const tree = errorsOf(treeProfile(n));
    close(tree.maxSe, ref.binary_tree_standard.maxse, 1e-12, `tree maxse n=${n}`);
    close(tree.meanSe, ref.binary_tree_standard.meanse, 1e-12, `tree meanse n=${n}`);
    close(tree.sens2, ref.binary_tree_standard.sens2, 0, `tree sens2 n=${n}`);
    const honaker = errorsOf(honakerProfile(n));
    close(honaker.maxSe, ref.binary_tree_honaker_online.maxse, 1e-9, `honaker maxse n=${n}`);
    close(honaker.meanSe, ref.binary_tree_honaker_online.meanse, 1e-9, `honaker meanse n=${n}`);
  }
  assert.equal(treeNodes(256).length, reference.n_values[256].binary_tree_standard.num_nodes);
  assert.equal(treeNodes(10000).length, reference.n_values[10000].binary_tree_standard.num_nodes);
});

test("per-step variances at n = 16 for sqrt(A), tree and Honaker", () => {
  const ref = reference.small_case_n16_per_t_variance;
  const cases: [string, Float64Array][] = [
    ["sqrt_factorization", variancesOf(sqrtProfile(16))],
    ["binary_tree_standard", variancesOf(treeProfile(16))],
    ["binary_tree_honaker_online", variancesOf(honakerProfile(16))],
  ];
  for (const [key, values] of cases) {
    assert.equal(values.length, 16);
    for (let t = 0; t < 16; t++) close(values[t], ref[key][t], 1e-12, `${key} t=${t + 1}`);
  }
});

test("dense tree matrices: L R = A and their profile equals the closed form", () => {
  const n = 13;
  const { L, R } = denseTree(n);
  const product = matmul(L, R);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) assert.equal(product.data[i * n + j], j <= i ? 1 : 0);
  }
  const fromDense = denseProfile(L, R);
  const closed = treeProfile(n);
  assert.equal(fromDense.sens2, closed.sens2);
  assert.deepEqual(Array.from(fromDense.rowNorm2), Array.from(closed.rowNorm2));
});

test("online Honaker equals brute-force least squares over the nodes ended by t", () => {
  const n = 24;
  const { R, nodes } = denseTree(n);
  const profile = honakerProfile(n);
  for (let t = 1; t <= n; t++) {
    // Var of the best linear unbiased estimate of x_1 + ... + x_t from the
    // nodes ending at or before t: a^T (R_t^T R_t)^{-1} a, with a = ones(t).
    const rows = nodes.map((node, i) => [node, i] as const).filter(([node]) => node.end < t);
    const gram = new Float64Array(t * t);
    for (const [, i] of rows) {
      for (let a = 0; a < t; a++) {
        for (let b = 0; b < t; b++) gram[a * t + b] += R.data[i * n + a] * R.data[i * n + b];
      }
    }
    const solution = solveSpd(gram, new Float64Array(t).fill(1), t);
    let variance = 0;
    for (const v of solution) variance += v;
    close(profile.rowNorm2[t - 1], variance, 1e-10, `honaker t=${t}`);
  }
});

test("momentum / weight-decay sqrt baselines match, and sqrt(A_ab)^2 = A_ab", () => {
  for (const [key, value] of Object.entries(reference.momentum_weight_decay_sqrt_baselines)) {
    const match = /alpha=([\d.]+),beta=([\d.]+),n=(\d+)/.exec(key);
    assert.ok(match);
    const n = Number(match[3]);
    const workload = { alpha: Number(match[1]), beta: Number(match[2]) };
    const s = sqrtWorkloadCoefficients(n, workload);
    const rowNorm2 = prefixSquares(s);
    const errors = errorsOf({ rowNorm2, sens2: rowNorm2[n - 1] });
    const expected = value as { maxse: number; meanse: number };
    close(errors.maxSe, expected.maxse, 1e-6, `${key} maxse`);
    close(errors.meanSe, expected.meanse, 1e-6, `${key} meanse`);
    const square = toeplitzMultiply(s.subarray(0, 40), s.subarray(0, 40));
    const a = workloadCoefficients(40, workload);
    for (let k = 0; k < 40; k++) close(square[k], a[k], 1e-12, `${key} square k=${k}`);
  }
});

test("dense sqrt(A) profile equals the Toeplitz one", () => {
  const n = 20;
  const S = denseToeplitz(sqrtCoefficients(n), n);
  const fromDense = denseProfile(S, S);
  const toeplitz = sqrtProfile(n);
  close(fromDense.sens2, toeplitz.sens2, 1e-14, "sens2");
  for (let t = 0; t < n; t++) close(fromDense.rowNorm2[t], toeplitz.rowNorm2[t], 1e-14, `row ${t}`);
});

/** Solves the symmetric positive definite system G x = b by Cholesky. */
function solveSpd(G: Float64Array, b: Float64Array, m: number): Float64Array {
  const L = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = G[i * m + j];
      for (let k = 0; k < j; k++) sum -= L[i * m + k] * L[j * m + k];
      L[i * m + j] = i === j ? Math.sqrt(sum) : sum / L[j * m + j];
    }
  }
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= L[i * m + k] * y[k];
    y[i] = sum / L[i * m + i];
  }
  const x = new Float64Array(m);
  for (let i = m - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < m; k++) sum -= L[k * m + i] * x[k];
    x[i] = sum / L[i * m + i];
  }
  return x;
}
