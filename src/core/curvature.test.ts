import assert from "node:assert/strict";
import { test } from "node:test";
import { hessianOperator, hvp, lanczos, powerIteration } from "./curvature.js";
import { type Array, f64, grad, hessian, np, toFloat64, tree } from "./engine.js";
import { symmetricEigen } from "./linalg.js";
import { Rng } from "./rng.js";

// A small non-quadratic loss on two parameter arrays: a regression through the
// cubic activation z - z^3/6, built from operations that are exact in float64.
const rng = new Rng(7);
const X = rng.normals(8 * 3);
const y = rng.normals(8);
function loss(p: any): Array {
  const x = f64(X, [8, 3]);
  const z = np.matmul(x, p.w.ref);
  const hidden = z.ref.sub(z.ref.mul(z.ref).mul(z).div(6));
  const out = np.matmul(hidden, p.v.ref).reshape([8]);
  const r = out.sub(f64(y));
  return r.ref
    .mul(r)
    .mean()
    .add(p.w.mul(p.w.ref).sum().mul(0.01))
    .add(p.v.mul(p.v.ref).sum().mul(0.01));
}
const start = { w: f64(rng.normals(6), [3, 2]), v: f64(rng.normals(2), [2, 1]) };

function explicitHessian(): Float64Array {
  // Hessian by central differences of the exact gradient (8 parameters)
  const base = [...toFloat64(start.w.ref), ...toFloat64(start.v.ref)];
  const h = 1e-5;
  const n = base.length;
  const H = new Float64Array(n * n);
  const gradAt = (theta: number[]) => {
    const g = grad(loss)({
      w: f64(theta.slice(0, 6), [3, 2]),
      v: f64(theta.slice(6), [2, 1]),
    }) as any;
    return [...toFloat64(g.w), ...toFloat64(g.v)];
  };
  for (let j = 0; j < n; j++) {
    const plus = base.slice();
    const minus = base.slice();
    plus[j] += h;
    minus[j] -= h;
    const gp = gradAt(plus);
    const gm = gradAt(minus);
    for (let i = 0; i < n; i++) H[i * n + j] = (gp[i] - gm[i]) / (2 * h);
  }
  return H;
}

test("grad matches central finite differences of the loss", () => {
  const g = grad(loss)(tree.ref(start)) as any;
  const analytic = [...toFloat64(g.w), ...toFloat64(g.v)];
  const base = [...toFloat64(start.w.ref), ...toFloat64(start.v.ref)];
  const value = (theta: number[]) =>
    toFloat64(loss({ w: f64(theta.slice(0, 6), [3, 2]), v: f64(theta.slice(6), [2, 1]) }))[0];
  base.forEach((_, j) => {
    const plus = base.slice();
    const minus = base.slice();
    plus[j] += 1e-5;
    minus[j] -= 1e-5;
    const fd = (value(plus) - value(minus)) / 2e-5;
    assert.ok(
      Math.abs(fd - analytic[j]) < 1e-5 * Math.max(1, Math.abs(fd)),
      `param ${j}: ${fd} vs ${analytic[j]}`,
    );
  });
});

test("HVP equals the explicit Hessian times v", () => {
  const H = explicitHessian();
  const v = new Rng(3).normals(8);
  const out = hvp(loss, tree.ref(start), {
    w: f64(v.slice(0, 6), [3, 2]),
    v: f64(v.slice(6), [2, 1]),
  }) as any;
  const hv = [...toFloat64(out.w), ...toFloat64(out.v)];
  for (let i = 0; i < 8; i++) {
    let expected = 0;
    for (let j = 0; j < 8; j++) expected += H[i * 8 + j] * v[j];
    assert.ok(Math.abs(hv[i] - expected) < 1e-5, `row ${i}: ${hv[i]} vs ${expected}`);
  }
});

test("power iteration and Lanczos find the explicit Hessian's top eigenvalues", () => {
  const { values } = symmetricEigen(explicitHessian(), 8);
  const op = hessianOperator(loss, start);
  const byMagnitude = [...values].sort((a, b) => Math.abs(b) - Math.abs(a))[0];
  const power = powerIteration(op.operator, op.size, {
    iterations: 500,
    tolerance: 1e-10,
    rng: new Rng(1),
  });
  assert.ok(
    Math.abs(power.value - byMagnitude) < 1e-4 * Math.abs(byMagnitude),
    `${power.value} vs ${byMagnitude}`,
  );
  const top = lanczos(op.operator, op.size, 3, { rng: new Rng(2) });
  for (let r = 0; r < 3; r++) {
    const expected = values[7 - r];
    assert.ok(
      Math.abs(top.values[r] - expected) < 1e-5 * Math.max(1, Math.abs(expected)),
      `${r}: ${top.values[r]} vs ${expected}`,
    );
  }
});

test("jax-js dense hessian agrees with a hand computation (2 A^T A)", () => {
  const A = f64([1, 2, 3, 4], [2, 2]);
  const f = (x: Array) => {
    const r = np.matmul(A.ref, x);
    return r.ref.mul(r).sum();
  };
  const dense = toFloat64(hessian(f)(f64([0.5, -1])));
  assert.deepEqual([...dense], [20, 28, 28, 40]);
  A.dispose();
});
