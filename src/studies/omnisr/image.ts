// Reading and writing 8-bit RGB PNG images (pngjs), and conversions between
// the uint8 images on disk and the float images the methods work on.
import { readFileSync, writeFileSync } from "node:fs";
import { PNG } from "pngjs";
import { UsageError } from "../../core/errors.js";
import type { FloatImage } from "./resample.js";

/** An 8-bit RGB image, row-major, interleaved channels. */
export interface Rgb8 {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Decodes a PNG file to RGB8 (alpha dropped). Throws UsageError if unreadable. */
export function readPng(path: string): Rgb8 {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}; check the path`);
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    throw new UsageError(
      `${path} is a JPEG; only PNG input is supported (no JPEG decoder is installed): ` +
        "convert it to PNG first",
    );
  }
  let png: PNG;
  try {
    png = PNG.sync.read(bytes);
  } catch (error) {
    throw new UsageError(`${path} is not a readable PNG (${(error as Error).message})`);
  }
  const n = png.width * png.height;
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    data[i * 3] = png.data[i * 4];
    data[i * 3 + 1] = png.data[i * 4 + 1];
    data[i * 3 + 2] = png.data[i * 4 + 2];
  }
  return { width: png.width, height: png.height, data };
}

/** Encodes RGB8 as PNG bytes. */
export function encodePng(img: Rgb8): Uint8Array {
  const png = new PNG({ width: img.width, height: img.height, colorType: 2 });
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    png.data[i * 4] = img.data[i * 3];
    png.data[i * 4 + 1] = img.data[i * 3 + 1];
    png.data[i * 4 + 2] = img.data[i * 3 + 2];
    png.data[i * 4 + 3] = 255;
  }
  return new Uint8Array(PNG.sync.write(png, { colorType: 2 }));
}

/** Writes RGB8 to a PNG file. */
export function writePng(path: string, img: Rgb8): void {
  writeFileSync(path, encodePng(img));
}

/** uint8 to float (0..255). */
export function toFloat(img: Rgb8): FloatImage {
  return { width: img.width, height: img.height, channels: 3, data: Float64Array.from(img.data) };
}

/** Float (0..255) to uint8, rounded and clipped. */
export function toRgb8(img: FloatImage): Rgb8 {
  const data = new Uint8Array(img.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = Math.round(img.data[i]);
    data[i] = Math.min(255, Math.max(0, v));
  }
  return { width: img.width, height: img.height, data };
}

/** A rectangular crop of an RGB8 image. */
export function cropRgb8(img: Rgb8, x: number, y: number, w: number, h: number): Rgb8 {
  const data = new Uint8Array(w * h * 3);
  for (let r = 0; r < h; r++) {
    const src = ((y + r) * img.width + x) * 3;
    data.set(img.data.subarray(src, src + w * 3), r * w * 3);
  }
  return { width: w, height: h, data };
}
