import assert from "node:assert/strict";
import { test } from "node:test";
import { symmetricEigen } from "./linalg.js";
import { Rng } from "./rng.js";

function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = rng.normal();
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

test("eigenvalues of the (2, -1) tridiagonal matrix are 2 - 2 cos(k pi / (n + 1))", () => {
  const n = 40;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    a[i * n + i] = 2;
    if (i > 0) a[i * n + i - 1] = a[(i - 1) * n + i] = -1;
  }
  const { values } = symmetricEigen(a, n);
  for (let k = 1; k <= n; k++) {
    assert.ok(Math.abs(values[k - 1] - (2 - 2 * Math.cos((k * Math.PI) / (n + 1)))) < 1e-13);
  }
});

test("values without vectors agree with the full decomposition on a random 30 x 30 matrix", () => {
  const n = 30;
  const a = randomSymmetric(n, 3);
  const alone = symmetricEigen(a, n, { vectors: false });
  const full = symmetricEigen(a, n).values;
  assert.equal(alone.vectors.length, 0);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(alone.values[i] - full[i]) < 1e-11, `value ${i}`);
});

test("A v = lambda v and V V^T = I to 1e-12 at n = 150", () => {
  const n = 150;
  const a = randomSymmetric(n, 7);
  const { values, vectors } = symmetricEigen(a, n);
  let residual = 0;
  let orthogonality = 0;
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * vectors[k * n + j];
      residual = Math.max(residual, Math.abs(s - values[k] * vectors[k * n + i]));
    }
    for (let l = 0; l <= k; l++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += vectors[k * n + j] * vectors[l * n + j];
      orthogonality = Math.max(orthogonality, Math.abs(s - (k === l ? 1 : 0)));
    }
  }
  assert.ok(residual < 1e-12, `residual ${residual}`);
  assert.ok(orthogonality < 1e-12, `orthogonality ${orthogonality}`);
  for (let k = 1; k < n; k++) assert.ok(values[k] >= values[k - 1]);
});

test("V^T diag(values) V reconstructs the matrix", () => {
  const M = new Float64Array([4, 1, 2, 1, 3, 0, 2, 0, 5]);
  const { values, vectors } = symmetricEigen(M, 3);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += vectors[k * 3 + i] * values[k] * vectors[k * 3 + j];
      assert.ok(Math.abs(s - M[i * 3 + j]) < 1e-12);
    }
  assert.ok(values[0] <= values[1] && values[1] <= values[2]);
});

test("converges on matrices of any scale (relative tolerance)", () => {
  const n = 5;
  const M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) M[i * n + i] = (i + 1) * 1e-16;
  M[1] = M[n] = 3e-17;
  const { values } = symmetricEigen(M, n);
  const trace = values.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(trace - 15e-16) < 1e-28);
  // the 2x2 block [[1, .3], [.3, 2]] * 1e-16 has eigenvalues 1.5 +- sqrt(0.34)
  assert.ok(Math.abs(values[0] - (1.5 - Math.sqrt(0.34)) * 1e-16) < 1e-28, `${values[0]}`);
});

test("eigenvalues of a known diagonal-plus-rotation matrix (with repeats) are exact to 1e-13", () => {
  // Q diag(3, 1, 1, 1, -2) Q^T with a Householder reflection Q
  const n = 5;
  const lambda = [3, 1, 1, 1, -2];
  const q = new Float64Array([1, 2, -1, 0.5, 3]);
  const qq = q.reduce((s, x) => s + x * x, 0);
  const refl = (i: number, j: number) => (i === j ? 1 : 0) - (2 * q[i] * q[j]) / qq;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      for (let k = 0; k < n; k++) a[i * n + j] += refl(i, k) * lambda[k] * refl(j, k);
  const { values } = symmetricEigen(a, n);
  const want = [-2, 1, 1, 1, 3];
  values.forEach((v, i) => {
    assert.ok(Math.abs(v - want[i]) < 1e-13, `${v} vs ${want[i]}`);
  });
});

test("handles diagonal and 1 x 1 matrices", () => {
  assert.deepEqual([...symmetricEigen(Float64Array.of(3), 1).values], [3]);
  const d = symmetricEigen(Float64Array.of(5, 0, 0, 0, -1, 0, 0, 0, 2), 3);
  assert.deepEqual([...d.values], [-1, 2, 5]);
});
