import assert from "node:assert/strict";
import { test } from "node:test";
import { type Array, f64, grad, np, toFloat64, toNumber } from "./engine.js";

test("float64 add, multiply and matmul are exact in float64", () => {
  const a = f64([0.1, 0.2, 1 / 3]);
  const b = f64([0.7, 1e-17, 3]);
  const sum = toFloat64(a.ref.add(b.ref));
  assert.equal(sum[0], 0.1 + 0.7);
  assert.equal(sum[1], 0.2 + 1e-17);
  const product = toFloat64(a.ref.mul(b.ref));
  assert.equal(product[2], (1 / 3) * 3);
  const dot = toNumber(np.dot(a, b));
  assert.ok(Math.abs(dot - (0.1 * 0.7 + 0.2 * 1e-17 + 1)) < 1e-15);
});

test("wasm float64 tanh is float32-accurate only (documented limit)", () => {
  const t = toNumber(np.tanh(f64([0.5])).sum());
  const error = Math.abs(t - Math.tanh(0.5));
  assert.ok(error < 1e-6, "tanh(0.5) agrees to float32 precision");
  // if a later engine computes it in float64, this fails: revisit the precision notes
  assert.ok(error > 1e-12, `tanh error ${error}: the wasm float64 tanh is now exact`);
});

test("grad of a quadratic is exact", () => {
  const f = (x: Array) => x.ref.mul(x).sum();
  const g = toFloat64(grad(f)(f64([1, -2, 3])));
  assert.deepEqual([...g], [2, -4, 6]);
});

test("einsum and attention work on Node 20 (iterator helpers polyfilled)", () => {
  const product = toFloat64(
    np.einsum("ij,jk->ik", f64([1, 2, 3, 4], [2, 2]), f64([0, 1, 1, 0], [2, 2])),
  );
  assert.deepEqual([...product], [2, 1, 4, 3]);
});
