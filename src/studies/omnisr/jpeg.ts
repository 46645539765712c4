// The lossy core of baseline JPEG (ITU-T T.81), used as a deterministic
// compression degradation: RGB -> YCbCr (JFIF), 8x8 DCT per block, quantisation
// with the Annex K tables scaled by the IJG quality formula, and back. Entropy
// coding is lossless, so it is skipped.
// Limitation: chroma is kept at full resolution (4:4:4); encoders that
// subsample chroma (4:2:0) also blur colour edges, which this does not model.
import type { Rgb8 } from "./image.js";

const LUMA = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
  14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
  92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
  47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];

/** The Annex K table scaled for a quality factor 1..100 (IJG's rule). */
export function quantTable(base: number[], quality: number): Float64Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - 2 * q;
  return Float64Array.from(base, (v) =>
    Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))),
  );
}

// cosTable[u * 8 + x] = C(u)/2 cos((2x + 1) u pi / 16): an orthonormal 8-point DCT-II.
const cosTable = new Float64Array(64);
for (let u = 0; u < 8; u++) {
  for (let x = 0; x < 8; x++) {
    const c = u === 0 ? Math.SQRT1_2 : 1;
    cosTable[u * 8 + x] = (c / 2) * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  }
}

/** 2-D DCT-II of an 8x8 block (orthonormal), or its inverse. */
export function dct8x8(block: Float64Array, inverse = false): Float64Array {
  const tmp = new Float64Array(64);
  const out = new Float64Array(64);
  for (let r = 0; r < 8; r++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let x = 0; x < 8; x++) {
        s += inverse
          ? cosTable[x * 8 + u] * block[r * 8 + x]
          : cosTable[u * 8 + x] * block[r * 8 + x];
      }
      tmp[r * 8 + u] = s;
    }
  }
  for (let c = 0; c < 8; c++) {
    for (let v = 0; v < 8; v++) {
      let s = 0;
      for (let y = 0; y < 8; y++) {
        s += inverse ? cosTable[y * 8 + v] * tmp[y * 8 + c] : cosTable[v * 8 + y] * tmp[y * 8 + c];
      }
      out[v * 8 + c] = s;
    }
  }
  return out;
}

function clampByte(v: number): number {
  const r = Math.round(v);
  return Math.min(255, Math.max(0, r));
}

/** Compresses and decompresses an RGB8 image at the given quality (1..100). */
export function jpegRoundTrip(img: Rgb8, quality: number): Rgb8 {
  const { width, height } = img;
  const n = width * height;
  const planes = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  for (let i = 0; i < n; i++) {
    const r = img.data[i * 3];
    const g = img.data[i * 3 + 1];
    const b = img.data[i * 3 + 2];
    planes[0][i] = clampByte(0.299 * r + 0.587 * g + 0.114 * b);
    planes[1][i] = clampByte(-0.168736 * r - 0.331264 * g + 0.5 * b + 128);
    planes[2][i] = clampByte(0.5 * r - 0.418688 * g - 0.081312 * b + 128);
  }
  const tables = [
    quantTable(LUMA, quality),
    quantTable(CHROMA, quality),
    quantTable(CHROMA, quality),
  ];
  const block = new Float64Array(64);
  for (let p = 0; p < 3; p++) {
    const plane = planes[p];
    const table = tables[p];
    for (let by = 0; by < height; by += 8) {
      for (let bx = 0; bx < width; bx += 8) {
        // Edge blocks are padded by repeating the last row and column, as encoders do.
        for (let y = 0; y < 8; y++) {
          for (let x = 0; x < 8; x++) {
            const sy = Math.min(by + y, height - 1);
            const sx = Math.min(bx + x, width - 1);
            block[y * 8 + x] = plane[sy * width + sx] - 128;
          }
        }
        const coef = dct8x8(block);
        for (let k = 0; k < 64; k++) coef[k] = Math.round(coef[k] / table[k]) * table[k];
        const back = dct8x8(coef, true);
        for (let y = 0; y < 8 && by + y < height; y++) {
          for (let x = 0; x < 8 && bx + x < width; x++) {
            plane[(by + y) * width + bx + x] = clampByte(back[y * 8 + x] + 128);
          }
        }
      }
    }
  }
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const y = planes[0][i];
    const cb = planes[1][i] - 128;
    const cr = planes[2][i] - 128;
    data[i * 3] = clampByte(y + 1.402 * cr);
    data[i * 3 + 1] = clampByte(y - 0.344136 * cb - 0.714136 * cr);
    data[i * 3 + 2] = clampByte(y + 1.772 * cb);
  }
  return { width, height, data };
}
