// Running a trained network on a whole low-resolution ERP.
import { type Array, jit, np, tree } from "../../core/engine.js";
import { UsageError } from "../../core/errors.js";
import type { Rgb8 } from "./image.js";
import {
  forward,
  type Inputs,
  latitudeRows,
  makeOperators,
  type Operators,
  type Params,
} from "./model.js";
import type { StoredModel } from "./model-file.js";

function latitudeMap(width: number, height: number): Float32Array<ArrayBuffer> {
  const rows = latitudeRows(height, 0, height);
  const out = new Float32Array(width * height);
  for (let r = 0; r < height; r++) out.fill(rows[r], r * width, (r + 1) * width);
  return out;
}

type Compiled = (params: Params, ops: Operators, inputs: Inputs) => Array;

// One compiled forward pass per model; jit retraces by itself for new image sizes.
const compiled = new WeakMap<StoredModel, Compiled>();

function compiledFor(model: StoredModel, rowChunk: number): Compiled {
  let run = compiled.get(model);
  if (!run) {
    // jit fuses the elementwise work around each matrix product (several times faster than eager).
    run = jit((p: Params, ops: Operators, inputs: Inputs) =>
      forward(p, model.arch, ops, inputs, rowChunk),
    ) as Compiled;
    compiled.set(model, run);
  }
  return run;
}

/** Upscales an 8-bit ERP (the whole sphere, 2:1) by the model's scale. */
export function upscaleWithModel(model: StoredModel, lr: Rgb8, rowChunk = 64): Rgb8 {
  const s = model.arch.scale;
  const ops = makeOperators(lr.width, lr.height, s);
  const inputs: Inputs = {
    lr: np.array(Float32Array.from(lr.data, (v) => v / 255)).reshape([1, lr.height, lr.width, 3]),
    latLr: np.array(latitudeMap(lr.width, lr.height)).reshape([1, lr.height, lr.width, 1]),
  };
  const run = compiledFor(model, rowChunk);
  const values = run(tree.ref(model.params), ops, inputs).dataSync() as Float32Array;
  const data = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(values[i] * 255);
    data[i] = Math.min(255, Math.max(0, v));
  }
  return { width: lr.width * s, height: lr.height * s, data };
}

/** Picks the full network for a scale from a model file's networks (ablations only as a fallback). */
export function pickModel(models: StoredModel[], scale: number, source: string): StoredModel {
  const full = models.find(
    (m) => m.arch.scale === scale && /^unfolded(-fresh)?-x[24]$/.test(m.name),
  );
  const any = full ?? models.find((m) => m.arch.scale === scale);
  if (!any) {
    const have = [...new Set(models.map((m) => `x${m.arch.scale}`))].join(", ") || "none";
    throw new UsageError(
      `${source} has no network for x${scale} (it has ${have}); pick --scale from those`,
    );
  }
  return any;
}

/** Checks that an image is a whole-sphere ERP (width = 2 x height). */
export function checkErp(img: Rgb8, source: string): void {
  if (img.width !== 2 * img.height) {
    throw new UsageError(
      `${source} is ${img.width}x${img.height}, not a 2:1 equirectangular panorama; ` +
        "pass a full 360x180-degree ERP image (width = 2 x height)",
    );
  }
  if (img.height < 8)
    throw new UsageError(`${source} is too small (${img.width}x${img.height}); use at least 16x8`);
}
