import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/rng.js";
import { BatchLoss, predict } from "./batch-loss.js";
import { gelu, geluDerivatives, initParams, type MlpShape, makeBatch } from "./mlp.js";

const shape: MlpShape = { inputs: 5, width: 4, classes: 3 };

function randomBatch(rng: Rng, count: number) {
  const images = new Float64Array(count * shape.inputs).map(() => rng.uniform());
  const labels = new Int32Array(count).map(() => rng.int(shape.classes));
  return makeBatch(images, labels, shape.inputs);
}

function lossAt(theta: Float64Array, batch: ReturnType<typeof randomBatch>): number {
  const l = new BatchLoss(shape, batch.count);
  l.setParams(theta, batch);
  return l.loss;
}

test("GELU derivatives match central differences to 1e-9", () => {
  for (const x of [-3.1, -0.7, 0, 0.4, 2.5]) {
    const h = 1e-5;
    const [d1, d2] = geluDerivatives(x);
    assert.ok(Math.abs(d1 - (gelu(x + h) - gelu(x - h)) / (2 * h)) < 1e-9);
    const fd2 = (geluDerivatives(x + h)[0] - geluDerivatives(x - h)[0]) / (2 * h);
    assert.ok(Math.abs(d2 - fd2) < 1e-9, `x=${x}: ${d2} vs ${fd2}`);
  }
});

test("batch loss equals the mean cross-entropy of predict()", () => {
  const rng = new Rng(1);
  const theta = initParams(shape, rng);
  const batch = randomBatch(rng, 7);
  const probs = predict(shape, theta, batch.x, batch.count);
  let ce = 0;
  for (let b = 0; b < batch.count; b++) ce -= Math.log(probs[b * 3 + batch.labels[b]]);
  assert.ok(Math.abs(lossAt(theta, batch) - ce / batch.count) < 1e-14);
});

test("gradient matches central differences of the loss to 1e-8", () => {
  const rng = new Rng(2);
  const theta = initParams(shape, rng);
  const batch = randomBatch(rng, 9);
  const l = new BatchLoss(shape, batch.count);
  l.setParams(theta, batch);
  const h = 1e-6;
  for (let i = 0; i < theta.length; i++) {
    const up = Float64Array.from(theta);
    const down = Float64Array.from(theta);
    up[i] += h;
    down[i] -= h;
    const fd = (lossAt(up, batch) - lossAt(down, batch)) / (2 * h);
    assert.ok(Math.abs(fd - l.gradient[i]) < 1e-8, `param ${i}: ${l.gradient[i]} vs ${fd}`);
  }
});

test("Hessian-vector products match differences of gradients to 1e-8 and are symmetric", () => {
  const rng = new Rng(3);
  const theta = initParams(shape, rng);
  const batch = randomBatch(rng, 9);
  const l = new BatchLoss(shape, batch.count);
  const p = theta.length;
  const v = rng.normals(p);
  const w = rng.normals(p);
  const gradAt = (t: Float64Array) => {
    const m = new BatchLoss(shape, batch.count);
    m.setParams(t, batch);
    return Float64Array.from(m.gradient);
  };
  const h = 1e-5;
  const gUp = gradAt(theta.map((x, i) => x + h * v[i]));
  const gDown = gradAt(theta.map((x, i) => x - h * v[i]));
  l.setParams(theta, batch);
  const hv = new Float64Array(p);
  const hw = new Float64Array(p);
  l.hvp(v, 0, hv, 0);
  l.hvp(w, 0, hw, 0);
  for (let i = 0; i < p; i++) {
    const fd = (gUp[i] - gDown[i]) / (2 * h);
    assert.ok(Math.abs(fd - hv[i]) < 1e-8, `entry ${i}: ${hv[i]} vs ${fd}`);
  }
  let wHv = 0;
  let vHw = 0;
  for (let i = 0; i < p; i++) {
    wHv += w[i] * hv[i];
    vHw += v[i] * hw[i];
  }
  assert.ok(Math.abs(wHv - vHw) < 1e-13 * (1 + Math.abs(wHv)), `${wHv} vs ${vHw}`);
});

test("gemmNT equals a naive triple loop for every shape remainder, with and without accumulation", async () => {
  const { gemmNT } = await import("./mlp.js");
  const rng = new Rng(13);
  for (const [m, k, n] of [
    [1, 3, 1],
    [4, 5, 2],
    [5, 2, 3],
    [7, 4, 7],
    [10, 64, 9],
  ]) {
    const a = rng.normals(m * k + 2);
    const b = rng.normals(n * k + 1);
    const c = rng.normals(m * n + 3);
    const before = Float64Array.from(c);
    gemmNT(a, 2, m, k, b, 1, n, c, 3, true);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a[2 + i * k + q] * b[1 + j * k + q];
        assert.ok(Math.abs(c[3 + i * n + j] - before[3 + i * n + j] - s) < 1e-12);
      }
    }
    assert.deepEqual([...c.subarray(0, 3)], [...before.subarray(0, 3)], "no writes before cOff");
    gemmNT(a, 2, m, k, b, 1, n, c, 3);
    let s00 = 0;
    for (let q = 0; q < k; q++) s00 += a[2 + q] * b[1 + q];
    assert.ok(Math.abs(c[3] - s00) < 1e-12);
  }
});
