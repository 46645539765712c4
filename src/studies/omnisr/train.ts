// Training the unfolded network on random crops of the training ERPs, each
// degraded by the bicubic or the realistic pipeline, with a squared error
// weighted by cos(latitude) of the crop's rows in its source ERP.
import { type Array, jit, np, tree, valueAndGrad } from "../../core/engine.js";
import {
  adam,
  applyUpdates,
  disposeState,
  type Params as Tree,
  warmupCosine,
} from "../../core/optim/index.js";
import type { Rng } from "../../core/rng.js";
import { degradeBicubic, degradeRealistic, drawRealistic } from "./degrade.js";
import { cropRgb8, type Rgb8 } from "./image.js";
import {
  type Architecture,
  disposeOperators,
  forward,
  initParams,
  latitudeRows,
  makeOperators,
  type Params,
} from "./model.js";

export interface TrainOptions {
  steps: number;
  batch: number;
  /** HR crop side (a multiple of the scale). */
  crop: number;
  learningRate: number;
  /** Probability that a crop gets the realistic degradation rather than the bicubic one. */
  realisticFraction: number;
}

export interface TrainResult {
  params: Params;
  losses: number[];
  seconds: number;
}

/** One training batch as arrays: LR input, latitude maps, HR target and row weights. */
interface Batch {
  lr: Array;
  latLr: Array;
  hr: Array;
  weights: Array;
}

function sampleBatch(images: Rgb8[], scale: number, options: TrainOptions, rng: Rng): Batch {
  const { batch: n, crop } = options;
  const small = crop / scale;
  const lr = new Float32Array(n * small * small * 3);
  const hr = new Float32Array(n * crop * crop * 3);
  const latLr = new Float32Array(n * small * small);
  const weights = new Float32Array(n * crop);
  for (let b = 0; b < n; b++) {
    const img = images[rng.int(images.length)];
    const x0 = rng.int(img.width - crop + 1);
    const y0 = scale * rng.int((img.height - crop) / scale + 1);
    const patch = cropRgb8(img, x0, y0, crop, crop);
    const degraded =
      rng.uniform() < options.realisticFraction
        ? degradeRealistic(patch, scale, drawRealistic(rng, scale), rng)
        : degradeBicubic(patch, scale);
    for (let i = 0; i < patch.data.length; i++) hr[b * patch.data.length + i] = patch.data[i] / 255;
    for (let i = 0; i < degraded.data.length; i++) {
      lr[b * degraded.data.length + i] = degraded.data[i] / 255;
    }
    const rowsHr = latitudeRows(img.height, y0, crop);
    const rowsLr = latitudeRows(img.height / scale, y0 / scale, small);
    for (let r = 0; r < crop; r++) {
      weights[b * crop + r] = rowsHr[r];
    }
    for (let r = 0; r < small; r++) {
      latLr.fill(rowsLr[r], (b * small + r) * small, (b * small + r + 1) * small);
    }
  }
  // Normalise the weights to mean one so the loss reads as a weighted MSE.
  let total = 0;
  for (const w of weights) total += w;
  for (let i = 0; i < weights.length; i++) weights[i] *= weights.length / total;
  return {
    lr: np.array(lr).reshape([n, small, small, 3]),
    latLr: np.array(latLr).reshape([n, small, small, 1]),
    hr: np.array(hr).reshape([n, crop, crop, 3]),
    weights: np.array(weights).reshape([n, crop, 1, 1]),
  };
}

/** Trains a fresh network (or continues `initial`); `onStep` sees (step, loss, params). */
export function train(
  arch: Architecture,
  images: Rgb8[],
  options: TrainOptions,
  rng: Rng,
  onStep: (step: number, loss: number, params: Params) => void = () => {},
  initial?: Params,
): TrainResult {
  const start = performance.now();
  const small = options.crop / arch.scale;
  const ops = makeOperators(small, small, arch.scale);
  // Resuming takes ownership of `initial` (a warm restart of the schedule).
  let params = initial ?? initParams(arch, rng.fork("init"));
  const optimizer = adam({
    learningRate: warmupCosine(
      options.learningRate,
      Math.min(20, Math.floor(options.steps / 5)),
      options.steps,
      options.learningRate / 10,
    ),
  });
  let state = optimizer.init(params as unknown as Tree);

  const loss = (p: Params, b: Batch): Array => {
    const out = forward(p, arch, ops, { lr: b.lr, latLr: b.latLr });
    return np.square(out.sub(b.hr)).mul(b.weights).mean();
  };
  const step = jit(valueAndGrad(loss));
  const data = rng.fork("data");
  const losses: number[] = [];
  for (let s = 0; s < options.steps; s++) {
    const batch = sampleBatch(images, arch.scale, options, data);
    const [value, grads] = step(tree.ref(params), batch);
    const [updates, next] = optimizer.update(
      grads as unknown as Tree,
      state,
      params as unknown as Tree,
    );
    state = next;
    params = applyUpdates(params as unknown as Tree, updates) as unknown as Params;
    const v = value.js() as number;
    losses.push(v);
    onStep(s, v, params);
  }
  disposeState(state);
  step.dispose();
  disposeOperators(ops);
  return { params, losses, seconds: (performance.now() - start) / 1000 };
}
