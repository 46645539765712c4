import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/rng.js";
import { descendingEigen, orthonormalRows, principalCosines, svdSquare } from "./linalg.js";

test("symmetric eigenpairs satisfy A v = lambda v to 1e-12 and are orthonormal", () => {
  const rng = new Rng(7);
  const n = 37;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const x = rng.normal();
      a[i * n + j] = x;
      a[j * n + i] = x;
    }
  }
  const { values, vectors } = descendingEigen(a, n);
  for (let e = 0; e < n; e++) {
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let j = 0; j < n; j++) av += a[i * n + j] * vectors[e * n + j];
      assert.ok(Math.abs(av - values[e] * vectors[e * n + i]) < 1e-12);
    }
    if (e > 0) assert.ok(values[e] <= values[e - 1]);
    let dot = 0;
    for (let j = 0; j < n; j++) dot += vectors[e * n + j] * vectors[((e + 1) % n) * n + j];
    assert.ok(Math.abs(dot) < 1e-12);
  }
});

test("SVD reconstructs a random square matrix to 1e-12 and U is orthonormal", () => {
  const rng = new Rng(11);
  const n = 41;
  const data = rng.normals(n * n);
  const { s, u, v } = svdSquare({ n, data });
  let maxErr = 0;
  for (let c = 0; c < n; c++) {
    for (let r = 0; r < n; r++) {
      let x = 0;
      for (let i = 0; i < n; i++) x += u[i * n + r] * s[i] * v[i * n + c];
      maxErr = Math.max(maxErr, Math.abs(x - data[c * n + r]));
    }
  }
  assert.ok(maxErr < 1e-12, `reconstruction error ${maxErr}`);
  for (let i = 0; i < n; i++) {
    let uu = 0;
    for (let r = 0; r < n; r++) uu += u[i * n + r] * u[i * n + r];
    assert.ok(Math.abs(uu - 1) < 1e-10, `|u_${i}|^2 = ${uu} (s = ${s[i]})`);
  }
});

test("principal angles between known subspaces are recovered to 1e-12", () => {
  // span(e0, e1) against span(cos a e0 + sin a e2, cos b e1 + sin b e3) in R^6
  const n = 6;
  const a = 0.3;
  const b = 1.1;
  const x = new Float64Array(2 * n);
  x[0] = 1;
  x[n + 1] = 1;
  const y = new Float64Array(3 * n);
  y[0] = Math.cos(a);
  y[2] = Math.sin(a);
  y[n + 1] = Math.cos(b);
  y[n + 3] = Math.sin(b);
  y[2 * n + 5] = 1; // a third direction orthogonal to span(x)
  const cosines = principalCosines(x, 2, y, 3, n);
  assert.equal(cosines.length, 2);
  assert.ok(Math.abs(cosines[0] - Math.cos(a)) < 1e-12);
  assert.ok(Math.abs(cosines[1] - Math.cos(b)) < 1e-12);
});

test("Gram-Schmidt drops dependent rows and returns orthonormal ones", () => {
  const n = 4;
  const rows = new Float64Array([1, 1, 0, 0, 2, 2, 0, 0, 0, 1, 1, 0]);
  const kept = orthonormalRows(rows, 3, n);
  assert.equal(kept, 2);
  let dot = 0;
  for (let k = 0; k < n; k++) dot += rows[k] * rows[n + k];
  assert.ok(Math.abs(dot) < 1e-15);
});
