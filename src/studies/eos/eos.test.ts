import assert from "node:assert/strict";
import { test } from "node:test";
import { hessianOperator, powerIteration } from "../../core/curvature.js";
import { type Array, f32, f64, grad, hessian, np, toFloat64, tree } from "../../core/engine.js";
import { symmetricEigen } from "../../core/linalg.js";
import { minimumL1Interpolator } from "../../core/lp.js";
import { Rng } from "../../core/rng.js";
import {
  beta,
  gradient,
  hessianVector,
  loss,
  runDiagonalGd,
  sharpness,
  sparseRegression,
} from "./diagonal.js";
import { isMonotone } from "./index.js";
import { initMlp, squaredLoss } from "./mlp.js";

const problem = sparseRegression(6, 10, 2, new Rng(3));
const params = new Rng(4).normals(20, 0.7);

/** The same loss through the engine: (1/4n)||X (u^2 - v^2) - y||^2. */
function engineLoss(p: Array): Array {
  const u = p.ref.slice([0, 10]);
  const v = p.slice([10, 20]);
  const b = u.ref.mul(u).sub(v.ref.mul(v));
  const r = np.matmul(f64(problem.x, [6, 10]), b).sub(f64(problem.y));
  return r.ref
    .mul(r)
    .sum()
    .div(4 * 6);
}

test("closed-form loss and gradient agree with the engine's autodiff", () => {
  assert.ok(Math.abs(loss(problem, params) - toFloat64(engineLoss(f64(params)))[0]) < 1e-12);
  const auto = toFloat64(grad(engineLoss)(f64(params)));
  const mine = gradient(problem, params);
  for (let j = 0; j < 20; j++)
    assert.ok(Math.abs(auto[j] - mine[j]) < 1e-12, `${j}: ${auto[j]} vs ${mine[j]}`);
});

test("closed-form HVP equals the explicit Hessian; Lanczos sharpness is its top eigenvalue", () => {
  const H = toFloat64(hessian(engineLoss)(f64(params)));
  const v = new Rng(9).normals(20);
  const hv = hessianVector(problem, params, v);
  for (let i = 0; i < 20; i++) {
    let expected = 0;
    for (let j = 0; j < 20; j++) expected += H[i * 20 + j] * v[j];
    assert.ok(Math.abs(hv[i] - expected) < 1e-10, `${i}: ${hv[i]} vs ${expected}`);
  }
  const top = symmetricEigen(H, 20).values[19];
  assert.ok(Math.abs(sharpness(problem, params, new Rng(1)) - top) < 1e-8 * top);
});

test("edge of stability on the diagonal network at quick scale (n = 20, d = 100)", () => {
  const p = sparseRegression(20, 100, 3, new Rng(0).fork("diagonal-data"));
  const s0 = sharpness(p, new Float64Array(200).fill(0.01), new Rng(1), 60);
  const run = (c: number) =>
    runDiagonalGd(p, {
      alpha: 0.01,
      stepSize: (2 * c) / s0,
      steps: 10000,
      sharpnessEvery: 20,
      rng: new Rng(2),
    });
  const big = run(1.0);
  const small = run(0.5);
  const maxSharp = (r: typeof big) => Math.max(...r.sharpness.map((s) => s.value));
  // claim: at c = 1 the sharpness reaches at least 0.9 * 2/eta while the loss still falls below 1e-3 of its start
  assert.ok(
    maxSharp(big) >= 0.9 * big.twoOverEta,
    `max sharpness ${maxSharp(big)} vs 2/eta ${big.twoOverEta}`,
  );
  assert.ok(big.losses[big.losses.length - 1] < 1e-3 * big.losses[0]);
  assert.equal(isMonotone(big.losses), false, "the loss is non-monotone at the edge of stability");
  // at c = 0.5 the sharpness stays below 2/eta
  assert.ok(maxSharp(small) < small.twoOverEta);
  // larger steps find interpolators of larger l1 norm, all above the minimum-l1 one
  const l1 = (r: typeof big) => beta(r.finalParams, 100).reduce((a, v) => a + Math.abs(v), 0);
  const l1Min = minimumL1Interpolator(p.x, p.y, 20, 100).reduce((a, v) => a + Math.abs(v), 0);
  assert.ok(
    l1Min <= l1(small) + 1e-9 && l1(small) < l1(big),
    `${l1Min} <= ${l1(small)} < ${l1(big)}`,
  );
});

test("a step past the threshold diverges and is reported as such", () => {
  const p = sparseRegression(20, 100, 3, new Rng(0));
  const s0 = sharpness(p, new Float64Array(200).fill(0.01), new Rng(1), 60);
  const r = runDiagonalGd(p, {
    alpha: 0.01,
    stepSize: (2 * 2) / s0,
    steps: 5000,
    sharpnessEvery: 50,
    rng: new Rng(2),
  });
  assert.equal(r.diverged, true);
  assert.ok(r.steps < 5000);
});

test("MLP sharpness by power iteration matches the explicit Hessian of a tiny net", () => {
  const rng = new Rng(5);
  const widths = [4, 3, 2];
  const x = Float32Array.from(rng.normals(5 * 4));
  const y = new Float32Array(10);
  for (let i = 0; i < 5; i++) y[i * 2 + (i % 2)] = 1;
  const init = initMlp(widths, new Rng(8)) as any;
  // flatten the 4*3 + 3 + 3*2 + 2 = 23 parameters and build the full Hessian with the engine
  const shapes = [[4, 3], [3], [3, 2], [2]];
  const flat = Float32Array.from([
    ...toFloat64(init.weights[0]),
    ...toFloat64(init.biases[0]),
    ...toFloat64(init.weights[1]),
    ...toFloat64(init.biases[1]),
  ]);
  const unflat = (v: Array) => {
    const parts: Array[] = [];
    let offset = 0;
    for (const s of shapes) {
      const size = s.reduce((a, b) => a * b, 1);
      parts.push(v.ref.slice([offset, offset + size]).reshape(s));
      offset += size;
    }
    v.dispose();
    return { weights: [parts[0], parts[2]], biases: [parts[1], parts[3]] };
  };
  const f = (v: Array) => squaredLoss(unflat(v), { x: f32(x, [5, 4]), y: f32(y, [5, 2]) });
  const H = toFloat64(hessian(f)(f32(flat)));
  const top = symmetricEigen(H, 23).values;
  const largest = [...top].sort((a, b) => Math.abs(b) - Math.abs(a))[0];
  // the study's path: HVPs through the tree-shaped MLP, then power iteration
  const params = initMlp(widths, new Rng(8));
  const op = hessianOperator(
    (p) => squaredLoss(p as any, { x: f32(x, [5, 4]), y: f32(y, [5, 2]) }),
    params,
  );
  const power = powerIteration(op.operator, op.size, {
    iterations: 2000,
    tolerance: 1e-9,
    rng: new Rng(6),
  });
  assert.equal(op.size, 23);
  assert.ok(
    Math.abs(power.value - largest) < 1e-3 * Math.abs(largest),
    `${power.value} vs ${largest}`,
  );
  tree.dispose(params);
});
