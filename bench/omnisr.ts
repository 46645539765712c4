// omnisr benchmarks: the network's 3x3 convolution written as im2col (shifted
// slices + one matrix product) against jax-js's lax.convGeneralDilated and
// TensorFlow.js's wasm conv2d in the same process (the layer from the issue:
// 3x3, 32 -> 32 channels, 8 x 64 x 64), and one x4 upscale of a 512x256 ERP by
// the unfolded network against 10 steps of gradient descent (back-projection).
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { jit, lax, np } from "../src/core/engine.js";
import { Rng } from "../src/core/rng.js";
import { gdUpscale } from "../src/studies/omnisr/baselines.js";
import { degradeBicubic } from "../src/studies/omnisr/degrade.js";
import { conv3x3, initParams } from "../src/studies/omnisr/model.js";
import { upscaleWithModel } from "../src/studies/omnisr/upscale.js";
import { type BenchRow, timeMs } from "./harness.js";

const [N, H, W, C] = [8, 64, 64, 32];
const FLOPS = 2 * N * H * W * C * C * 9;

function gflops(ms: number): string {
  return `${(FLOPS / (ms * 1e6)).toFixed(2)} GFLOP/s`;
}

/** Runs the omnisr benchmarks. */
export async function benchOmnisr(): Promise<BenchRow[]> {
  const rng = new Rng(7);
  const xData = Float32Array.from(rng.normals(N * H * W * C));
  const wData = Float32Array.from(rng.normals(9 * C * C, 0.05));
  const x = np.array(xData).reshape([N, H, W, C]);
  const w = np.array(wData).reshape([9 * C, C]);
  const b = np.zeros([C]);
  const ours = jit((xx: typeof x, ww: typeof w, bb: typeof b) => conv3x3(xx, ww, bb));
  const oursMs = await timeMs(() => ours(x.ref, w.ref, b.ref).dataSync(), 5, 2);

  // The library convolution, NCHW with an OIHW kernel, jitted as well.
  const xNchw = x.ref.transpose([0, 3, 1, 2]);
  const wOihw = w.ref.reshape([3, 3, C, C]).transpose([3, 2, 0, 1]);
  const libConv = jit((xx: typeof x, ww: typeof w) =>
    lax.convGeneralDilated(xx, ww, [1, 1], "SAME"),
  );
  const libMs = await timeMs(() => libConv(xNchw.ref, wOihw.ref).dataSync(), 1, 1);

  await tf.setBackend("wasm");
  await tf.ready();
  const tx = tf.tensor4d(xData, [N, H, W, C]);
  const tw = tf.tensor4d(wData, [3, 3, C, C]);
  const tfMs = await timeMs(
    () => {
      const y = tf.conv2d(tx, tw, 1, "same");
      y.dataSync();
      y.dispose();
    },
    5,
    2,
  );
  tx.dispose();
  tw.dispose();
  ours.dispose();
  libConv.dispose();
  x.dispose();
  w.dispose();
  b.dispose();
  xNchw.dispose();
  wOihw.dispose();

  // Whole-image x4 upscale (an untrained network costs the same as a trained one).
  const hr = {
    width: 512,
    height: 256,
    data: new Uint8Array(512 * 256 * 3).map(() => rng.int(256)),
  };
  const lr = degradeBicubic(hr, 4);
  const arch = { scale: 4, stages: 3, features: 32, alignment: true, latitude: true };
  const model = { name: "bench", arch, trainSteps: 0, finalLoss: 0, params: initParams(arch, rng) };
  const netMs = await timeMs(() => upscaleWithModel(model, lr), 3, 1);
  const gdMs = await timeMs(() => gdUpscale(lr, 4, 10, 16), 3, 1);

  return [
    {
      name: "conv 3x3 32->32 on 8x64x64, im2col (ours)",
      ms: oursMs,
      baseline: "lax.convGeneralDilated",
      baselineMs: libMs,
      note: `${gflops(oursMs)} vs ${gflops(libMs)}`,
    },
    {
      name: "conv 3x3 32->32 on 8x64x64, im2col (ours)",
      ms: oursMs,
      baseline: "TF.js wasm conv2d",
      baselineMs: tfMs,
      note: `${gflops(oursMs)} vs ${gflops(tfMs)}`,
    },
    {
      name: "x4 upscale of a 512x256 ERP, unfolded network K=3",
      ms: netMs,
      baseline: "10 GD steps (plain TS)",
      baselineMs: gdMs,
    },
  ];
}

/** The entry bench/index.ts calls. */
export const bench = benchOmnisr;
