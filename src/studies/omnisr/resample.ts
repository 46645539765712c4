// Separable antialiased Keys bicubic resampling (a = -0.5), the degradation
// operator A of the study and its exact adjoint A^T. Coefficients follow the
// convention of PIL's ImagingResample: the kernel is stretched by the scale
// factor when shrinking, and the taps of each output sample are renormalised
// to sum to one where the support leaves the image.

/** Keys cubic convolution kernel with a = -0.5. */
export function keysCubic(x: number, a = -0.5): number {
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

/** The taps of a 1-D resampler: output i reads `weights[i][j]` at input `start[i] + j`. */
export interface Taps {
  inSize: number;
  outSize: number;
  start: Int32Array;
  weights: Float64Array[];
}

/** Resampling taps from `inSize` to `outSize` samples (any ratio). */
export function bicubicTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 2 * filterScale;
  const start = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    // C's (int) cast truncates toward zero; the clamp makes that a floor here.
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    const w = new Float64Array(hi - lo);
    let total = 0;
    for (let j = 0; j < w.length; j++) {
      w[j] = keysCubic((j + lo - center + 0.5) / filterScale);
      total += w[j];
    }
    if (total !== 0) for (let j = 0; j < w.length; j++) w[j] /= total;
    start[i] = lo;
    weights.push(w);
  }
  return { inSize, outSize, start, weights };
}

/** The taps as a dense row-major (outSize x inSize) matrix. */
export function tapsMatrix(taps: Taps): Float64Array {
  const m = new Float64Array(taps.outSize * taps.inSize);
  for (let i = 0; i < taps.outSize; i++) {
    const w = taps.weights[i];
    for (let j = 0; j < w.length; j++) m[i * taps.inSize + taps.start[i] + j] = w[j];
  }
  return m;
}

/** A multi-channel image in float, row-major with interleaved channels (HWC). */
export interface FloatImage {
  width: number;
  height: number;
  channels: number;
  data: Float64Array;
}

function applyRows(img: FloatImage, taps: Taps, transpose: boolean): FloatImage {
  const { width, height, channels: c } = img;
  const outW = transpose ? taps.inSize : taps.outSize;
  const out = new Float64Array(outW * height * c);
  for (let y = 0; y < height; y++) {
    const rowIn = y * width * c;
    const rowOut = y * outW * c;
    for (let i = 0; i < taps.outSize; i++) {
      const w = taps.weights[i];
      const s = taps.start[i];
      for (let j = 0; j < w.length; j++) {
        const wj = w[j];
        if (transpose) {
          const src = rowIn + i * c;
          const dst = rowOut + (s + j) * c;
          for (let k = 0; k < c; k++) out[dst + k] += wj * img.data[src + k];
        } else {
          const src = rowIn + (s + j) * c;
          const dst = rowOut + i * c;
          for (let k = 0; k < c; k++) out[dst + k] += wj * img.data[src + k];
        }
      }
    }
  }
  return { width: outW, height, channels: c, data: out };
}

function applyColumns(img: FloatImage, taps: Taps, transpose: boolean): FloatImage {
  const { width, channels: c } = img;
  const outH = transpose ? taps.inSize : taps.outSize;
  const stride = width * c;
  const out = new Float64Array(outH * stride);
  for (let i = 0; i < taps.outSize; i++) {
    const w = taps.weights[i];
    const s = taps.start[i];
    for (let j = 0; j < w.length; j++) {
      const wj = w[j];
      const src = (transpose ? i : s + j) * stride;
      const dst = (transpose ? s + j : i) * stride;
      for (let k = 0; k < stride; k++) out[dst + k] += wj * img.data[src + k];
    }
  }
  return { width, height: outH, channels: c, data: out };
}

/** The linear operator A: resize to (outWidth, outHeight), rows then columns, no rounding. */
export function resize(img: FloatImage, outWidth: number, outHeight: number): FloatImage {
  const rows = applyRows(img, bicubicTaps(img.width, outWidth), false);
  return applyColumns(rows, bicubicTaps(img.height, outHeight), false);
}

/** The exact adjoint of `resize` from (inWidth, inHeight): <A x, y> = <x, A^T y>. */
export function resizeAdjoint(img: FloatImage, inWidth: number, inHeight: number): FloatImage {
  const cols = applyColumns(img, bicubicTaps(inHeight, img.height), true);
  return applyRows(cols, bicubicTaps(inWidth, img.width), true);
}

// PIL's 8-bit path works in fixed point with 22 fraction bits.
const PRECISION_BITS = 22;
const ONE = 2 ** PRECISION_BITS;

function fixedPoint(taps: Taps): Float64Array[] {
  return taps.weights.map((w) =>
    w.map((v) => (v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE))),
  );
}

function clip8(acc: number): number {
  const v = Math.floor(acc / ONE);
  return Math.min(255, Math.max(0, v));
}

/**
 * Bit-exact emulation of PIL's `Image.resize(..., BICUBIC)` on an 8-bit RGB
 * image (HWC, 3 channels): a horizontal pass rounded to uint8, then a vertical one.
 */
export function pilResizeU8(
  data: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  const c = 3;
  let cur = data;
  let curW = width;
  if (outWidth !== width) {
    const taps = bicubicTaps(width, outWidth);
    const k = fixedPoint(taps);
    const next = new Uint8Array(outWidth * height * c);
    for (let y = 0; y < height; y++) {
      for (let i = 0; i < outWidth; i++) {
        for (let ch = 0; ch < c; ch++) {
          let acc = ONE / 2;
          const w = k[i];
          const base = (y * width + taps.start[i]) * c + ch;
          for (let j = 0; j < w.length; j++) acc += cur[base + j * c] * w[j];
          next[(y * outWidth + i) * c + ch] = clip8(acc);
        }
      }
    }
    cur = next;
    curW = outWidth;
  }
  if (outHeight !== height) {
    const taps = bicubicTaps(height, outHeight);
    const k = fixedPoint(taps);
    const stride = curW * c;
    const next = new Uint8Array(outHeight * stride);
    for (let i = 0; i < outHeight; i++) {
      const w = k[i];
      for (let x = 0; x < stride; x++) {
        let acc = ONE / 2;
        for (let j = 0; j < w.length; j++) acc += cur[(taps.start[i] + j) * stride + x] * w[j];
        next[i * stride + x] = clip8(acc);
      }
    }
    cur = next;
  }
  return cur === data ? data.slice() : cur;
}
