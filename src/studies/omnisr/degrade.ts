// Degradations that turn a high-resolution ERP into a low-resolution input:
// the bicubic one (PIL-exact antialiased bicubic downscale to 8 bits) and a
// seeded real-world pipeline (anisotropic Gaussian blur, bicubic downscale,
// Gaussian noise, rounding, JPEG), whose parameters are returned for the record.
import type { Rng } from "../../core/rng.js";
import { type Rgb8, toFloat, toRgb8 } from "./image.js";
import { jpegRoundTrip } from "./jpeg.js";
import { type FloatImage, pilResizeU8, resize } from "./resample.js";

export type Degradation = "bicubic" | "realistic";

/** The parameters drawn for one realistic degradation. */
export interface RealisticParams {
  blurSigmaX: number;
  blurSigmaY: number;
  noiseSigma: number;
  jpegQuality: number;
}

/** Draws realistic-degradation parameters for a scale factor. */
export function drawRealistic(rng: Rng, scale: number): RealisticParams {
  const maxSigma = scale === 2 ? 1.2 : 2.4;
  return {
    blurSigmaX: 0.2 + (maxSigma - 0.2) * rng.uniform(),
    blurSigmaY: 0.2 + (maxSigma - 0.2) * rng.uniform(),
    noiseSigma: 8 * rng.uniform(),
    jpegQuality: 40 + rng.int(56),
  };
}

function gaussian(sigma: number): Float64Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let i = 0; i < k.length; i++) {
    k[i] = Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma));
    total += k[i];
  }
  return k.map((v) => v / total);
}

/** Axis-aligned anisotropic Gaussian blur with clamped borders. */
export function blur(img: FloatImage, sigmaX: number, sigmaY: number): FloatImage {
  const { width, height, channels: c } = img;
  const kx = gaussian(sigmaX);
  const ky = gaussian(sigmaY);
  const rx = (kx.length - 1) / 2;
  const ry = (ky.length - 1) / 2;
  const tmp = new Float64Array(img.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let j = 0; j < kx.length; j++) {
        const sx = Math.min(width - 1, Math.max(0, x + j - rx));
        for (let ch = 0; ch < c; ch++) {
          tmp[(y * width + x) * c + ch] += kx[j] * img.data[(y * width + sx) * c + ch];
        }
      }
    }
  }
  const out = new Float64Array(img.data.length);
  const stride = width * c;
  for (let y = 0; y < height; y++) {
    for (let j = 0; j < ky.length; j++) {
      const sy = Math.min(height - 1, Math.max(0, y + j - ry));
      for (let i = 0; i < stride; i++) out[y * stride + i] += ky[j] * tmp[sy * stride + i];
    }
  }
  return { ...img, data: out };
}

/** The bicubic degradation: PIL-exact bicubic downscale by `scale`, 8 bits. */
export function degradeBicubic(hr: Rgb8, scale: number): Rgb8 {
  const width = hr.width / scale;
  const height = hr.height / scale;
  return { width, height, data: pilResizeU8(hr.data, hr.width, hr.height, width, height) };
}

/** The realistic degradation with given parameters; `rng` draws the noise. */
export function degradeRealistic(hr: Rgb8, scale: number, params: RealisticParams, rng: Rng): Rgb8 {
  const blurred = blur(toFloat(hr), params.blurSigmaX, params.blurSigmaY);
  const small = resize(blurred, hr.width / scale, hr.height / scale);
  for (let i = 0; i < small.data.length; i++) small.data[i] += params.noiseSigma * rng.normal();
  return jpegRoundTrip(toRgb8(small), params.jpegQuality);
}
