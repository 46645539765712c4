import assert from "node:assert/strict";
import { test } from "node:test";
import { np, tree } from "../../core/engine.js";
import { Rng } from "../../core/rng.js";
import { gradientDescent } from "./baselines.js";
import {
  conv3x3,
  depthToSpace,
  disposeOperators,
  forward,
  initParams,
  makeOperators,
  separable,
  spaceToDepth,
} from "./model.js";
import { decodeModels, encodeModels } from "./model-file.js";
import { resize, resizeAdjoint } from "./resample.js";
import { train } from "./train.js";

const rng = new Rng(11);

function randomArray(shape: number[]): { data: Float64Array; array: ReturnType<typeof np.array> } {
  const data = rng.normals(shape.reduce((a, b) => a * b, 1));
  return { data, array: np.array(Float32Array.from(data)).reshape(shape) };
}

test("matrix operators equal the sparse resampler, A^T is its adjoint (float32, 1e-4)", () => {
  const [w, h, s] = [6, 3, 4];
  const ops = makeOperators(w, h, s);
  const x = randomArray([1, h * s, w * s, 3]);
  const ax = separable(x.array.ref, ops.downH.ref, ops.downW.ref).dataSync();
  const ref = resize({ width: w * s, height: h * s, channels: 3, data: x.data }, w, h).data;
  for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(ax[i] - ref[i]) < 1e-4);
  const y = randomArray([1, h, w, 3]);
  const aty = separable(y.array.ref, ops.upH.ref, ops.upW.ref).dataSync();
  const refT = resizeAdjoint({ width: w, height: h, channels: 3, data: y.data }, w * s, h * s).data;
  for (let i = 0; i < refT.length; i++) assert.ok(Math.abs(aty[i] - refT[i]) < 1e-4);
  let lhs = 0;
  let rhs = 0;
  for (let i = 0; i < ref.length; i++) lhs += ax[i] * y.data[i];
  for (let i = 0; i < refT.length; i++) rhs += x.data[i] * aty[i];
  assert.ok(Math.abs(lhs - rhs) < 1e-3 * Math.abs(lhs) + 1e-3, `${lhs} vs ${rhs}`);
  x.array.dispose();
  y.array.dispose();
  disposeOperators(ops);
});

test("im2col conv3x3 matches a direct convolution, whole and in row strips", () => {
  const [n, h, w, c, o] = [2, 5, 4, 3, 2];
  const x = randomArray([n, h, w, c]);
  const k = randomArray([9 * c, o]);
  const b = randomArray([o]);
  const whole = conv3x3(x.array.ref, k.array.ref, b.array.ref).dataSync();
  const strips = conv3x3(x.array, k.array, b.array, 2).dataSync();
  for (let bi = 0; bi < n; bi++) {
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        for (let oc = 0; oc < o; oc++) {
          let sum = b.data[oc];
          for (let dy = 0; dy < 3; dy++) {
            for (let dx = 0; dx < 3; dx++) {
              const sy = y + dy - 1;
              const sx = xx + dx - 1;
              if (sy < 0 || sy >= h || sx < 0 || sx >= w) continue;
              for (let ic = 0; ic < c; ic++) {
                sum +=
                  x.data[((bi * h + sy) * w + sx) * c + ic] *
                  k.data[((dy * 3 + dx) * c + ic) * o + oc];
              }
            }
          }
          const i = ((bi * h + y) * w + xx) * o + oc;
          assert.ok(Math.abs(whole[i] - sum) < 1e-4, `${whole[i]} vs ${sum}`);
          assert.ok(Math.abs(strips[i] - sum) < 1e-4);
        }
      }
    }
  }
});

test("space-to-depth and depth-to-space are inverse", () => {
  const x = randomArray([2, 8, 12, 3]);
  const back = depthToSpace(spaceToDepth(x.array, 4), 4, 3).dataSync();
  for (let i = 0; i < x.data.length; i++) assert.ok(Math.abs(back[i] - x.data[i]) < 1e-6);
});

test("the untrained network is bicubic plus K plain gradient steps of size s^2", () => {
  const [w, h, s, k] = [8, 4, 2, 2];
  const arch = { scale: s, stages: k, features: 4, alignment: true, latitude: true };
  const params = initParams(arch, new Rng(2));
  const ops = makeOperators(w, h, s);
  const y = randomArray([1, h, w, 3]);
  const lat = np.ones([1, h, w, 1]);
  const out = forward(params, arch, ops, { lr: y.array.ref, latLr: lat }).dataSync();
  const start = separable(y.array, ops.interpH.ref, ops.interpW.ref).dataSync();
  const expected = gradientDescent(
    { width: w * s, height: h * s, channels: 3, data: Float64Array.from(start) },
    { width: w, height: h, channels: 3, data: y.data },
    k,
    s * s,
  ).data;
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(out[i] - expected[i]) < 1e-4);
  tree.dispose(params);
  disposeOperators(ops);
});

test("model file round trip keeps architecture and weights", () => {
  const arch = { scale: 4, stages: 1, features: 3, alignment: false, latitude: true };
  const params = initParams(arch, new Rng(3));
  const bytes = encodeModels([
    { name: "unfolded-x4", arch, trainSteps: 5, finalLoss: 0.25, params },
  ]);
  const [back] = decodeModels(bytes, "test");
  assert.deepEqual(back.arch, arch);
  assert.equal(back.finalLoss, 0.25);
  assert.equal(back.params.align, undefined);
  const a = params.priors[0].w1.ref.dataSync();
  const b = back.params.priors[0].w1.ref.dataSync();
  assert.deepEqual([...b], [...a]);
  assert.throws(() => decodeModels(bytes.subarray(0, 20), "cut.bin"), /not an omnisr model file/);
  assert.throws(() => decodeModels(new Uint8Array(40), "zeros.bin"), /magic/);
  tree.dispose(params);
  tree.dispose(back.params);
});

test("training on one fixed crop lowers the latitude-weighted loss", () => {
  const r = new Rng(9);
  const size = 16;
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < data.length; i++)
    data[i] = Math.round(128 + 80 * Math.sin(i / 7) + 20 * r.normal());
  const arch = { scale: 2, stages: 1, features: 8, alignment: true, latitude: true };
  const options = { steps: 25, batch: 2, crop: size, learningRate: 1e-2, realisticFraction: 0 };
  const result = train(arch, [{ width: size, height: size, data }], options, new Rng(1));
  assert.equal(result.losses.length, 25);
  const first = result.losses[0];
  const last = Math.min(...result.losses.slice(-5));
  assert.ok(last < 0.8 * first, `loss ${first} -> ${last}`);
  tree.dispose(result.params);
});
