import assert from "node:assert/strict";
import { test } from "node:test";
import { sparseRegression } from "./data/synthetic.js";
import { minimumL1Interpolator, simplex } from "./lp.js";
import { Rng } from "./rng.js";

test("simplex solves a hand-checkable LP", () => {
  // min -x1 - 2 x2 s.t. x1 + x2 + s1 = 4, x1 + 3 x2 + s2 = 6: optimum x = (3, 1), value -5
  const a = new Float64Array([1, 1, 1, 0, 1, 3, 0, 1]);
  const r = simplex(a, new Float64Array([4, 6]), new Float64Array([-1, -2, 0, 0]), 2, 4);
  assert.equal(r.status, "optimal");
  assert.ok(Math.abs(r.objective + 5) < 1e-12);
  assert.ok(Math.abs(r.z[0] - 3) < 1e-12 && Math.abs(r.z[1] - 1) < 1e-12);
});

test("simplex reports infeasible and unbounded problems", () => {
  // x1 + x2 = -1 with x >= 0 is infeasible
  assert.equal(
    simplex(new Float64Array([1, 1]), new Float64Array([-1]), new Float64Array([1, 1]), 1, 2)
      .status,
    "infeasible",
  );
  // min -x1 s.t. x1 - x2 = 0 is unbounded
  assert.equal(
    simplex(new Float64Array([1, -1]), new Float64Array([0]), new Float64Array([-1, 0]), 1, 2)
      .status,
    "unbounded",
  );
});

test("basis pursuit recovers a 3-sparse vector from 20 Gaussian measurements in 100 dimensions", () => {
  const rng = new Rng(5);
  const n = 20;
  const d = 100;
  const x = rng.normals(n * d);
  const truth = new Float64Array(d);
  truth[3] = 1;
  truth[40] = 1;
  truth[77] = 1;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) y[i] += x[i * d + j] * truth[j];
  const beta = minimumL1Interpolator(x, y, n, d);
  let l1 = 0;
  let err = 0;
  for (let j = 0; j < d; j++) {
    l1 += Math.abs(beta[j]);
    err = Math.max(err, Math.abs(beta[j] - truth[j]));
  }
  assert.ok(Math.abs(l1 - 3) < 1e-9, `l1 ${l1}`);
  assert.ok(err < 1e-9);
});

test("basis pursuit stays exact across n from 40 to 200 at d = 100 (round-off in the ratio test)", () => {
  for (const n of [40, 70, 90, 99, 150, 200]) {
    const p = sparseRegression(n, 100, 3, new Rng(n));
    const beta = minimumL1Interpolator(p.x, p.y, n, 100);
    let l1 = 0;
    for (const v of beta) l1 += Math.abs(v);
    assert.ok(Math.abs(l1 - 3) < 1e-9, `n = ${n}: l1 ${l1}`);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < 100; j++) s += p.x[i * 100 + j] * beta[j];
      assert.ok(Math.abs(s - p.y[i]) < 1e-9, `n = ${n}, row ${i}`);
    }
  }
});
