// Image quality on equirectangular images: PSNR, WS-PSNR and WS-SSIM on RGB
// 0..255 (Sun et al., "Weighted-to-spherically-uniform quality evaluation for
// omnidirectional video", 2017), with the conventions of OmniSSR's scripts.

/** An RGB image (HWC, 3 channels, values 0..255) as plain numbers. */
export interface RgbView {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

/** ERP row weights w(i) = cos((i + 0.5 - H/2) pi / H), i = 0..H-1. */
export function latitudeWeights(height: number): Float64Array {
  const w = new Float64Array(height);
  for (let i = 0; i < height; i++) w[i] = Math.cos(((i + 0.5 - height / 2) * Math.PI) / height);
  return w;
}

function checkSameSize(a: RgbView, b: RgbView): void {
  if (a.width !== b.width || a.height !== b.height || a.data.length !== b.data.length) {
    throw new Error(`images differ in size: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  }
}

function toDb(mse: number): number {
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/** PSNR over all pixels and channels, peak 255. */
export function psnr(a: RgbView, b: RgbView): number {
  checkSameSize(a, b);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = a.data[i] - b.data[i];
    sum += d * d;
  }
  return toDb(sum / a.data.length);
}

/** WS-PSNR: squared errors weighted by the row's latitude weight. */
export function wsPsnr(a: RgbView, b: RgbView): number {
  checkSameSize(a, b);
  const w = latitudeWeights(a.height);
  const rowLen = a.width * 3;
  let sum = 0;
  let total = 0;
  for (let y = 0; y < a.height; y++) {
    let row = 0;
    for (let i = y * rowLen; i < (y + 1) * rowLen; i++) {
      const d = a.data[i] - b.data[i];
      row += d * d;
    }
    sum += w[y] * row;
    total += w[y] * rowLen;
  }
  return toDb(sum / total);
}

function gaussianKernel(size: number, sigma: number): Float64Array {
  const k = new Float64Array(size);
  let total = 0;
  for (let i = 0; i < size; i++) {
    const t = i - (size - 1) / 2;
    k[i] = Math.exp((-t * t) / (2 * sigma * sigma));
    total += k[i];
  }
  for (let i = 0; i < size; i++) k[i] /= total;
  return k;
}

// Separable 11x11 filtering of one plane, valid region only.
function filterValid(plane: Float64Array, width: number, height: number, k: Float64Array) {
  const r = k.length;
  const vw = width - r + 1;
  const vh = height - r + 1;
  const tmp = new Float64Array(vw * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < vw; x++) {
      let s = 0;
      for (let j = 0; j < r; j++) s += k[j] * plane[y * width + x + j];
      tmp[y * vw + x] = s;
    }
  }
  const out = new Float64Array(vw * vh);
  for (let y = 0; y < vh; y++) {
    for (let j = 0; j < r; j++) {
      const kj = k[j];
      const src = (y + j) * vw;
      for (let x = 0; x < vw; x++) out[y * vw + x] += kj * tmp[src + x];
    }
  }
  return out;
}

/** How WS-SSIM weights the (H - 10) valid rows of the SSIM map. */
export type SsimRowWeights = "fullH" | "cropH";

/**
 * WS-SSIM: per-channel SSIM maps (11x11 Gaussian, sigma 1.5, valid region),
 * averaged with latitude weights per row, then averaged over the 3 channels.
 * `fullH` takes the full-height weights minus 5 rows each side; `cropH`
 * recomputes them for the cropped height.
 */
export function wsSsim(a: RgbView, b: RgbView, rows: SsimRowWeights = "fullH"): number {
  checkSameSize(a, b);
  const { width, height } = a;
  const k = gaussianKernel(11, 1.5);
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  const vw = width - 10;
  const vh = height - 10;
  if (vw <= 0 || vh <= 0) throw new Error("WS-SSIM needs images larger than 10x10");
  const w =
    rows === "fullH" ? latitudeWeights(height).subarray(5, height - 5) : latitudeWeights(vh);
  const n = width * height;
  let result = 0;
  for (let ch = 0; ch < 3; ch++) {
    const p = new Float64Array(n);
    const q = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      p[i] = a.data[i * 3 + ch];
      q[i] = b.data[i * 3 + ch];
    }
    const pp = p.map((v) => v * v);
    const qq = q.map((v) => v * v);
    const pq = p.map((v, i) => v * q[i]);
    const mu1 = filterValid(p, width, height, k);
    const mu2 = filterValid(q, width, height, k);
    const s11 = filterValid(pp, width, height, k);
    const s22 = filterValid(qq, width, height, k);
    const s12 = filterValid(pq, width, height, k);
    let sum = 0;
    let total = 0;
    for (let y = 0; y < vh; y++) {
      let row = 0;
      for (let x = 0; x < vw; x++) {
        const i = y * vw + x;
        const m1 = mu1[i];
        const m2 = mu2[i];
        const v1 = s11[i] - m1 * m1;
        const v2 = s22[i] - m2 * m2;
        const cov = s12[i] - m1 * m2;
        row += ((2 * m1 * m2 + c1) * (2 * cov + c2)) / ((m1 * m1 + m2 * m2 + c1) * (v1 + v2 + c2));
      }
      sum += w[y] * row;
      total += w[y] * vw;
    }
    result += sum / total;
  }
  return result / 3;
}
