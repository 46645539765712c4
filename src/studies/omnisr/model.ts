// The unfolded super-resolution network, after RealOSR (Sheng et al., "Latent
// Unfolding Boosting Diffusion-based Real-world Omnidirectional Image
// Super-Resolution"), scaled to a CPU: an alignment stage corrects the
// low-resolution input y at its own resolution, the bicubic upscale of the
// result starts K unfolded stages
//   x_k = x_{k-1} - eta_k A^T (A x_{k-1} - y') + P_k([x_{k-1}, latitude]),
// each a gradient step on ||A x - y'||^2 through the fixed bicubic operator A
// with a learned step eta_k plus a small learned prior P_k, and a decoder adds
// a last learned correction. P_k and the decoder see x folded to LR resolution
// (space-to-depth), with the latitude map as an extra channel. Images are NHWC float32 in [0, 1].
import { type Array, np } from "../../core/engine.js";
import type { Rng } from "../../core/rng.js";
import { bicubicTaps, tapsMatrix } from "./resample.js";

/** What varies between the full network and its ablations. */
export interface Architecture {
  scale: number;
  /** Number of unfolded stages (0 = no unfolding). */
  stages: number;
  /** Hidden channels of every small convolutional block. */
  features: number;
  alignment: boolean;
  latitude: boolean;
}

/** A two-layer 3x3 convolutional block: conv, ReLU, conv. Weights are im2col matrices. */
export interface Block {
  w1: Array;
  b1: Array;
  w2: Array;
  b2: Array;
}

export interface Params {
  align?: Block;
  /** One step-size multiplier per stage; eta_k = scale^2 * steps[k]. */
  steps?: Array;
  priors: Block[];
  decoder: Block;
}

/**
 * The fixed linear operators for one LR size. Each is a left matrix along
 * the rows and a right matrix along columns x channels (the 1-D matrix
 * Kronecker-expanded over the 3 channels), so that applying it to an NHWC
 * image needs no transposes, only two matrix products.
 */
export interface Operators {
  /** A: [h, H] and [W*3, w*3]. */
  downH: Array;
  downW: Array;
  /** A^T: [H, h] and [w*3, W*3]. */
  upH: Array;
  upW: Array;
  /** Bicubic upscale: [H, h] and [w*3, W*3]. */
  interpH: Array;
  interpW: Array;
}

const CHANNELS = 3;

// m is row-major [rows, cols]; returns M^T as a float32 array.
function transposed(m: Float64Array, rows: number, cols: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = m[i * cols + j];
  return out;
}

// For m = [rows, cols] acting on columns, the right factor kron(M^T, I_3): [cols*3, rows*3].
function channelKron(m: Float64Array, rows: number, cols: number): Array {
  const c = CHANNELS;
  const out = new Float32Array(cols * c * rows * c);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = m[i * cols + j];
      if (v === 0) continue;
      for (let k = 0; k < c; k++) out[(j * c + k) * (rows * c) + i * c + k] = v;
    }
  }
  return np.array(out).reshape([cols * c, rows * c]);
}

function matrix(data: Float32Array<ArrayBuffer>, rows: number, cols: number): Array {
  return np.array(data).reshape([rows, cols]);
}

/**
 * Builds the operators for an LR image of (width, height) and an integer scale.
 * Limitation: the column factors are dense (W*3 x w*3 floats), so memory grows
 * with the square of the width: about 150 MB at an HR width of 4096.
 */
export function makeOperators(width: number, height: number, scale: number): Operators {
  const W = width * scale;
  const H = height * scale;
  const taps = (n: number, m: number) => tapsMatrix(bicubicTaps(n, m)); // [m, n]
  const dW = taps(W, width);
  const dH = taps(H, height);
  return {
    downH: matrix(Float32Array.from(dH), height, H),
    downW: channelKron(dW, width, W),
    upH: matrix(transposed(dH, height, H), H, height),
    upW: channelKron(transposed64(dW, width, W), W, width),
    interpH: matrix(Float32Array.from(taps(height, H)), H, height),
    interpW: channelKron(taps(width, W), W, width),
  };
}

function transposed64(m: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = m[i * cols + j];
  return out;
}

/** Frees an operator set. */
export function disposeOperators(ops: Operators): void {
  for (const m of Object.values(ops)) m.dispose();
}

/**
 * Applies a separable operator to an NHWC image (3 channels): `left` [H', H]
 * along rows, `right` [W*3, W'*3] along columns and channels.
 */
export function separable(x: Array, left: Array, right: Array): Array {
  const [n, h, w, c] = x.shape;
  const h2 = left.shape[0];
  const w2 = right.shape[1] / c;
  const rows =
    n === 1
      ? np.matmul(left, x.reshape([h, w * c]))
      : np.matmul(np.broadcastTo(left, [n, h2, h]), x.reshape([n, h, w * c]));
  return np.matmul(rows.reshape([n * h2, w * c]), right).reshape([n, h2, w2, c]);
}

/**
 * A 3x3 "same" convolution written as im2col: the nine shifted slices of the
 * zero-padded input concatenated on channels, then one matrix product with
 * `w` [9 C, C'] and a bias. `rowChunk` bounds memory by doing strips of rows.
 */
export function conv3x3(x: Array, w: Array, b: Array, rowChunk = 0): Array {
  const [n, h, width, c] = x.shape;
  const out = w.shape[1];
  const padded = np.pad(x, [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ]);
  const strip = (r0: number, rows: number, last: boolean): Array => {
    const src = last ? padded : padded.ref;
    const window = src.slice([], [r0, r0 + rows + 2], [], []);
    const shifts: Array[] = [];
    for (let dy = 0; dy < 3; dy++) {
      for (let dx = 0; dx < 3; dx++) {
        const last9 = dy === 2 && dx === 2;
        shifts.push((last9 ? window : window.ref).slice([], [dy, dy + rows], [dx, dx + width], []));
      }
    }
    const cols = np.concatenate(shifts, 3).reshape([n * rows * width, 9 * c]);
    return np.matmul(cols, w.ref).reshape([n, rows, width, out]);
  };
  let result: Array;
  if (rowChunk <= 0 || rowChunk >= h) {
    result = strip(0, h, true);
  } else {
    const parts: Array[] = [];
    for (let r0 = 0; r0 < h; r0 += rowChunk) {
      const rows = Math.min(rowChunk, h - r0);
      parts.push(strip(r0, rows, r0 + rows >= h));
    }
    result = np.concatenate(parts, 1);
  }
  w.dispose();
  return result.add(b);
}

/** Space-to-depth: [N, H, W, C] -> [N, H/s, W/s, s*s*C]. */
export function spaceToDepth(x: Array, s: number): Array {
  const [n, h, w, c] = x.shape;
  return x
    .reshape([n, h / s, s, w / s, s, c])
    .transpose([0, 1, 3, 2, 4, 5])
    .reshape([n, h / s, w / s, s * s * c]);
}

/** Depth-to-space, the inverse of `spaceToDepth`. */
export function depthToSpace(x: Array, s: number, c: number): Array {
  const [n, h, w] = x.shape;
  return x
    .reshape([n, h, w, s, s, c])
    .transpose([0, 1, 3, 2, 4, 5])
    .reshape([n, h * s, w * s, c]);
}

// Blocks output corrections scaled by 0.1: with Adam, whose first steps move every
// weight by about the learning rate, an unscaled zero-initialised last layer
// jumps far enough to wreck the gradient-descent path it starts from.
const OUTPUT_SCALE = 0.1;

function block(p: Block, x: Array, lat: Array | null, rowChunk: number): Array {
  const input = lat ? np.concatenate([x, lat], 3) : x;
  const hidden = np.maximum(conv3x3(input, p.w1.ref, p.b1.ref, rowChunk), 0);
  return conv3x3(hidden, p.w2.ref, p.b2.ref, rowChunk).mul(OUTPUT_SCALE);
}

/** Inputs of one forward pass: the LR image and its cos(latitude) map [N, h, w, 1]. */
export interface Inputs {
  lr: Array;
  latLr: Array;
}

// A learned block on the HR image folded to LR resolution (space-to-depth):
// the "latent at reduced resolution" of the paper, and s^2 times fewer rows
// in every matrix product than working at HR.
function latentBlock(p: Block, x: Array, lat: Array | null, s: number, rowChunk: number): Array {
  const latent = spaceToDepth(x, s);
  return depthToSpace(block(p, latent, lat ? lat.ref : null, rowChunk), s, 3);
}

/**
 * The network's output [N, H, W, 3] for LR input [N, h, w, 3]. Consumes the
 * inputs; only reads params and operators. `rowChunk` > 0 bounds memory at inference.
 */
export function forward(
  params: Params,
  arch: Architecture,
  ops: Operators,
  inputs: Inputs,
  rowChunk = 0,
): Array {
  let latLr: Array | null = inputs.latLr;
  if (!arch.latitude) {
    latLr.dispose();
    latLr = null;
  }
  let y = inputs.lr;

  // Domain alignment at LR resolution: y' = y + G([y, latitude]).
  if (arch.alignment && params.align) {
    y = y.ref.add(block(params.align, y, latLr ? latLr.ref : null, rowChunk));
  }

  let x = separable(y.ref, ops.interpH.ref, ops.interpW.ref);

  // Unfolded stages: a gradient step on 0.5 ||A x - y'||^2 plus a learned prior.
  for (let k = 0; k < arch.stages; k++) {
    const residual = separable(x.ref, ops.downH.ref, ops.downW.ref).sub(y.ref);
    const gradient = separable(residual, ops.upH.ref, ops.upW.ref);
    const eta = (params.steps as Array).ref.slice(k).mul(arch.scale * arch.scale);
    const prior = latentBlock(params.priors[k], x.ref, latLr, arch.scale, rowChunk);
    x = x.sub(gradient.mul(eta)).add(prior);
  }
  y.dispose();

  const out = x.ref.add(latentBlock(params.decoder, x, latLr, arch.scale, rowChunk));
  latLr?.dispose();
  return out;
}

function initBlock(
  rng: Rng,
  inChannels: number,
  features: number,
  outChannels: number,
  outScale: number,
): Block {
  const fan1 = 9 * inChannels;
  const fan2 = 9 * features;
  const w1 = rng.normals(fan1 * features, Math.sqrt(2 / fan1));
  const w2 = rng.normals(fan2 * outChannels, outScale * Math.sqrt(1 / fan2));
  return {
    w1: np.array(Float32Array.from(w1)).reshape([fan1, features]),
    b1: np.zeros([features]),
    w2: np.array(Float32Array.from(w2)).reshape([fan2, outChannels]),
    b2: np.zeros([outChannels]),
  };
}

/** Fresh parameters: He-initialised first layers, zero last layers (the untrained network is bicubic plus K plain gradient steps), unit step multipliers. */
export function initParams(arch: Architecture, rng: Rng): Params {
  const lat = arch.latitude ? 1 : 0;
  const folded = 3 * arch.scale * arch.scale;
  const f = arch.features;
  const params: Params = {
    priors: [],
    decoder: initBlock(rng.fork("decoder"), folded + lat, f, folded, 0),
  };
  if (arch.alignment) params.align = initBlock(rng.fork("align"), 3 + lat, f, 3, 0);
  for (let k = 0; k < arch.stages; k++) {
    params.priors.push(initBlock(rng.fork(`prior${k}`), folded + lat, f, folded, 0));
  }
  if (arch.stages > 0) params.steps = np.full([arch.stages], 1);
  return params;
}

/** cos(latitude) of each row of an ERP of `fullHeight` rows, for rows [row0, row0 + rows). */
export function latitudeRows(
  fullHeight: number,
  row0: number,
  rows: number,
): Float32Array<ArrayBuffer> {
  const out = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    out[i] = Math.cos(((row0 + i + 0.5 - fullHeight / 2) * Math.PI) / fullHeight);
  }
  return out;
}
