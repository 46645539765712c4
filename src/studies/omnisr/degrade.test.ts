import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/rng.js";
import { blur, degradeRealistic, drawRealistic } from "./degrade.js";
import type { Rgb8 } from "./image.js";
import { dct8x8, jpegRoundTrip, quantTable } from "./jpeg.js";
import { psnr } from "./metrics.js";

function smoothImage(width: number, height: number, rng: Rng): Rgb8 {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const v = 128 + 60 * Math.sin(x / 5 + c) * Math.cos(y / 7) + 10 * rng.normal();
        data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return { width, height, data };
}

test("8x8 DCT is orthonormal: inverse(forward(b)) = b and energy is kept", () => {
  const rng = new Rng(1);
  const block = Float64Array.from(rng.normals(64, 50));
  const coef = dct8x8(block);
  const back = dct8x8(coef, true);
  let e1 = 0;
  let e2 = 0;
  for (let i = 0; i < 64; i++) {
    assert.ok(Math.abs(back[i] - block[i]) < 1e-9);
    e1 += block[i] ** 2;
    e2 += coef[i] ** 2;
  }
  assert.ok(Math.abs(e1 - e2) < 1e-8 * e1);
  // DC of a constant block of value v is 8 v.
  assert.ok(Math.abs(dct8x8(new Float64Array(64).fill(3))[0] - 24) < 1e-12);
});

test("IJG quality scaling: q=50 keeps the Annex K table, q=100 gives all ones", () => {
  const base = Array.from({ length: 64 }, (_, i) => 10 + i);
  assert.deepEqual([...quantTable(base, 50)], base);
  assert.ok(quantTable(base, 100).every((v) => v === 1));
  assert.equal(quantTable([16], 25)[0], 32);
});

test("JPEG round trip: near-lossless at q=100, worse as quality drops", () => {
  const img = smoothImage(37, 21, new Rng(2));
  const q100 = psnr(jpegRoundTrip(img, 100), img);
  const q75 = psnr(jpegRoundTrip(img, 75), img);
  const q20 = psnr(jpegRoundTrip(img, 20), img);
  assert.ok(q100 > 40, `q100 ${q100}`);
  assert.ok(q100 > q75 && q75 > q20, `${q100} ${q75} ${q20}`);
  assert.deepEqual(jpegRoundTrip(img, 60).data, jpegRoundTrip(img, 60).data);
});

test("Gaussian blur keeps a constant image and the mean of a random one", () => {
  const rng = new Rng(3);
  const flat = { width: 9, height: 7, channels: 3, data: new Float64Array(9 * 7 * 3).fill(42) };
  for (const v of blur(flat, 1.3, 0.4).data) assert.ok(Math.abs(v - 42) < 1e-9);
  const noisy = { width: 30, height: 30, channels: 3, data: rng.normals(2700, 10) };
  const out = blur(noisy, 1, 1);
  let inner = 0;
  for (let i = 0; i < 2700; i++) inner += out.data[i] ** 2;
  let orig = 0;
  for (let i = 0; i < 2700; i++) orig += noisy.data[i] ** 2;
  assert.ok(inner < orig / 4, "blur removes most white-noise energy");
});

test("realistic degradation is reproducible from its seed and halves the size", () => {
  const hr = smoothImage(32, 16, new Rng(4));
  const params = drawRealistic(new Rng(5), 2);
  assert.ok(params.jpegQuality >= 40 && params.jpegQuality <= 95);
  const a = degradeRealistic(hr, 2, params, new Rng(6));
  const b = degradeRealistic(hr, 2, params, new Rng(6));
  assert.equal(a.width, 16);
  assert.equal(a.height, 8);
  assert.deepEqual(a.data, b.data);
});
