import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/rng.js";
import { spherePoints } from "./data.js";
import { gram } from "./kernel.js";
import { fitKernel, gdCoefficients, predict } from "./kernel-gd.js";
import { forward, gdStep, symmetricInit, type TwoLayerNet } from "./network.js";

function loss(net: TwoLayerNet, x: ReturnType<typeof spherePoints>, y: Float64Array): number {
  const f = forward(net, x);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (f[i] - y[i]) ** 2;
  return s / (2 * y.length);
}

test("symmetric initialisation gives f = 0", () => {
  const rng = new Rng(1);
  const net = symmetricInit(rng, 64, 4, 1);
  const x = spherePoints(rng.fork("x"), 10, 4, "uniform");
  for (const v of forward(net, x)) assert.ok(Math.abs(v) < 1e-14);
});

test("the GD step follows the gradient of the loss (central differences)", () => {
  const rng = new Rng(3);
  const x = spherePoints(rng.fork("x"), 12, 3, "uniform");
  const y = rng.normals(12);
  const net = symmetricInit(rng.fork("w"), 8, 3, 1);
  net.weights[0] += 0.3; // break the symmetry so f != 0
  const before = Float64Array.from(net.weights);
  const probe = { ...net, weights: Float64Array.from(before) };
  const eta = 1e-3;
  const reported = gdStep(net, x, y, eta);
  assert.ok(Math.abs(reported - loss(probe, x, y)) < 1e-14, "returns the loss before the step");
  const h = 1e-6;
  for (let j = 0; j < before.length; j++) {
    probe.weights.set(before);
    probe.weights[j] += h;
    const up = loss(probe, x, y);
    probe.weights[j] -= 2 * h;
    const down = loss(probe, x, y);
    const numeric = (up - down) / (2 * h);
    const analytic = (before[j] - net.weights[j]) / eta;
    assert.ok(Math.abs(numeric - analytic) < 1e-7, `weight ${j}: ${numeric} vs ${analytic}`);
  }
});

test("a wide network trained by GD stays close to kernel GD with the NTK", () => {
  const rng = new Rng(8);
  const n = 30;
  const x = spherePoints(rng.fork("x"), n, 4, "uniform");
  const y = rng.normals(n, 0.3);
  const test = spherePoints(rng.fork("t"), 20, 4, "uniform");
  const fit = fitKernel(gram(x, x), y);
  const kernel = predict(gram(test, x), gdCoefficients(fit, 1, 25));
  const distance = (width: number) => {
    const net = symmetricInit(rng.fork(`w${width}`), width, 4, 1);
    for (let t = 0; t < 25; t++) gdStep(net, x, y, 1);
    const f = forward(net, test);
    let s = 0;
    for (let i = 0; i < 20; i++) s += (f[i] - kernel[i]) ** 2;
    return Math.sqrt(s / 20);
  };
  let scale = 0;
  for (const v of kernel) scale += v * v;
  scale = Math.sqrt(scale / 20);
  const wide = distance(16384);
  assert.ok(wide < 0.1 * scale, `RMS gap ${wide} against prediction scale ${scale}`);
  assert.ok(distance(64) > wide, "a narrow network is further from the kernel");
});
