import assert from "node:assert/strict";
import { test } from "node:test";
import { symmetricEigen as jacobiEigen } from "../../core/linalg.js";
import { Rng } from "../../core/rng.js";
import { symmetricEigen } from "./eigen.js";

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

test("agrees with the core's Jacobi solver on a random 30 x 30 matrix", () => {
  const n = 30;
  const a = randomSymmetric(n, 3);
  const mine = symmetricEigen(a, n, { vectors: false }).values;
  const reference = jacobiEigen(a, n).values;
  for (let i = 0; i < n; i++) assert.ok(Math.abs(mine[i] - reference[i]) < 1e-11, `value ${i}`);
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

test("handles diagonal and 1 x 1 matrices", () => {
  assert.deepEqual([...symmetricEigen(Float64Array.of(3), 1).values], [3]);
  const d = symmetricEigen(Float64Array.of(5, 0, 0, 0, -1, 0, 0, 0, 2), 3);
  assert.deepEqual([...d.values], [-1, 2, 5]);
});
