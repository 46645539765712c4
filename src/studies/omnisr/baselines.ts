// The two classical baselines: bicubic upscaling, and iterative back-projection
// as plain gradient descent on ||A x - y||^2 from the bicubic start
// (x <- x - step * A^T (A x - y)), with A the antialiased bicubic downscale.
import type { Rgb8 } from "./image.js";
import { toFloat, toRgb8 } from "./image.js";
import { type FloatImage, pilResizeU8, resize, resizeAdjoint } from "./resample.js";

/** PIL-exact bicubic upscale of an 8-bit image by an integer factor. */
export function bicubicUpscale(lr: Rgb8, scale: number): Rgb8 {
  const width = lr.width * scale;
  const height = lr.height * scale;
  return { width, height, data: pilResizeU8(lr.data, lr.width, lr.height, width, height) };
}

/** K gradient steps of size `step` on 0.5 ||A x - y||^2 starting from `start`. */
export function gradientDescent(
  start: FloatImage,
  lr: FloatImage,
  steps: number,
  step: number,
): FloatImage {
  let x = start;
  for (let k = 0; k < steps; k++) {
    const residual = resize(x, lr.width, lr.height);
    for (let i = 0; i < residual.data.length; i++) residual.data[i] -= lr.data[i];
    const g = resizeAdjoint(residual, x.width, x.height);
    const next = new Float64Array(x.data.length);
    for (let i = 0; i < next.length; i++) next[i] = x.data[i] - step * g.data[i];
    x = { ...x, data: next };
  }
  return x;
}

/** The GD baseline on an 8-bit LR image: bicubic start, K steps, rounded to 8 bits. */
export function gdUpscale(lr: Rgb8, scale: number, steps: number, step: number): Rgb8 {
  const start = toFloat(bicubicUpscale(lr, scale));
  return toRgb8(gradientDescent(start, toFloat(lr), steps, step));
}
