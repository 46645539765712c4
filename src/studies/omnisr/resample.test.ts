import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/rng.js";
import {
  bicubicTaps,
  type FloatImage,
  keysCubic,
  pilResizeU8,
  resize,
  resizeAdjoint,
  tapsMatrix,
} from "./resample.js";

function randomImage(rng: Rng, width: number, height: number): FloatImage {
  return { width, height, channels: 3, data: rng.normals(width * height * 3) };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

test("Keys kernel: interpolating, a = -0.5 values at hand-computed points", () => {
  assert.equal(keysCubic(0), 1);
  assert.ok(Math.abs(keysCubic(1)) < 1e-15);
  assert.ok(Math.abs(keysCubic(2)) < 1e-15);
  assert.equal(keysCubic(2.5), 0);
  // a=-0.5 at t=0.5: (1.5*0.5 - 2.5)*0.25 + 1 = 0.5625; at t=1.5: -0.0625.
  assert.ok(Math.abs(keysCubic(0.5) - 0.5625) < 1e-15);
  assert.ok(Math.abs(keysCubic(-1.5) + 0.0625) < 1e-15);
});

test("taps sum to one, and the x4 downscale kernel spans 16 input samples", () => {
  for (const [n, m] of [
    [64, 16],
    [64, 32],
    [16, 64],
  ]) {
    const taps = bicubicTaps(n, m);
    for (const w of taps.weights) assert.ok(Math.abs(w.reduce((s, v) => s + v, 0) - 1) < 1e-12);
  }
  assert.equal(bicubicTaps(64, 16).weights[8].length, 16);
});

test("adjoint identity <A x, y> = <x, A^T y> at x2, x4 and a non-integer ratio", () => {
  const rng = new Rng(3);
  for (const [w, h, ow, oh] of [
    [40, 20, 20, 10],
    [64, 32, 16, 8],
    [30, 15, 12, 6],
  ]) {
    const x = randomImage(rng, w, h);
    const y = randomImage(rng, ow, oh);
    const lhs = dot(resize(x, ow, oh).data, y.data);
    const rhs = dot(x.data, resizeAdjoint(y, w, h).data);
    assert.ok(Math.abs(lhs - rhs) < 1e-10 * Math.abs(lhs) + 1e-10, `${lhs} vs ${rhs}`);
  }
});

test("dense tap matrix equals the sparse resampler", () => {
  const rng = new Rng(4);
  const x = randomImage(rng, 24, 1);
  const m = tapsMatrix(bicubicTaps(24, 6));
  const sparse = resize(x, 6, 1).data;
  for (let i = 0; i < 6; i++) {
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let j = 0; j < 24; j++) s += m[i * 24 + j] * x.data[j * 3 + c];
      assert.ok(Math.abs(s - sparse[i * 3 + c]) < 1e-12);
    }
  }
});

test("the 8-bit PIL emulation is within one level of the float resampler", () => {
  const rng = new Rng(5);
  const data = new Uint8Array(32 * 16 * 3).map(() => rng.int(256));
  const exact = pilResizeU8(data, 32, 16, 8, 4);
  const float = resize({ width: 32, height: 16, channels: 3, data: Float64Array.from(data) }, 8, 4);
  for (let i = 0; i < exact.length; i++) {
    const v = Math.min(255, Math.max(0, float.data[i]));
    assert.ok(Math.abs(exact[i] - v) <= 1.01, `${exact[i]} vs ${v}`);
  }
});
