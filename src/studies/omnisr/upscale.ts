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

// cos(latitude) for LR rows [row0, row0 + height) of an ERP of `fullHeight` rows.
function latitudeMap(
  width: number,
  height: number,
  fullHeight = height,
  row0 = 0,
): Float32Array<ArrayBuffer> {
  const rows = latitudeRows(fullHeight, row0, height);
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

// A jitted program keeps its intermediates alive together, and the wasm heap
// holds 4 GiB: images with more output pixels than this go through in bands.
const BAND_PIXELS = 1024 * 512;
// LR rows of context above and below each band; the stages' gradient steps
// and convolutions reach about 3 * (4 + 2) rows, so bands join seamlessly.
const HALO = 24;

function runBand(model: StoredModel, lr: Rgb8, row0: number, rows: number): Float32Array {
  const s = model.arch.scale;
  const ops = makeOperators(lr.width, rows, s);
  const band = lr.data.subarray(row0 * lr.width * 3, (row0 + rows) * lr.width * 3);
  const inputs: Inputs = {
    lr: np.array(Float32Array.from(band, (v) => v / 255)).reshape([1, rows, lr.width, 3]),
    latLr: np.array(latitudeMap(lr.width, rows, lr.height, row0)).reshape([1, rows, lr.width, 1]),
  };
  const run = compiledFor(model, 64);
  return run(tree.ref(model.params), ops, inputs).dataSync() as Float32Array;
}

/** Upscales an 8-bit ERP (the whole sphere, 2:1) by the model's scale. */
export function upscaleWithModel(model: StoredModel, lr: Rgb8, bandPixels = BAND_PIXELS): Rgb8 {
  const s = model.arch.scale;
  const W = lr.width * s;
  const data = new Uint8Array(W * lr.height * s * 3);
  // One LR row becomes s rows of W output pixels.
  const bandRows = Math.max(8, Math.floor(bandPixels / (W * s)));
  for (let r0 = 0; r0 < lr.height; r0 += bandRows) {
    const r1 = Math.min(lr.height, r0 + bandRows);
    const from = bandRows >= lr.height ? 0 : Math.max(0, r0 - HALO);
    const to = bandRows >= lr.height ? lr.height : Math.min(lr.height, r1 + HALO);
    const values = runBand(model, lr, from, to - from);
    // Keep HR rows [r0 s, r1 s) of the band's output, which starts at HR row from * s.
    const skip = (r0 - from) * s * W * 3;
    const count = (r1 - r0) * s * W * 3;
    for (let i = 0; i < count; i++) {
      const v = Math.round(values[skip + i] * 255);
      data[r0 * s * W * 3 + i] = Math.min(255, Math.max(0, v));
    }
  }
  return { width: W, height: lr.height * s, data };
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
