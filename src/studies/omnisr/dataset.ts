// The 25 CC0 ERP photographs shipped in data/odi/ and the fixed split rule:
// every fifth image (odi_05, 10, 15, 20, 25) is held out for testing.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Rgb8 } from "./image.js";
import { pilResizeU8 } from "./resample.js";

/** Folder holding the ERP PNGs and bicubic_reference.csv. */
export const dataDir = fileURLToPath(new URL("../../../data/odi", import.meta.url));

/** File names of the shipped ERP images, sorted. */
export function listImages(): string[] {
  return readdirSync(dataDir)
    .filter((name) => /^odi_\d\d_.*\.png$/.test(name))
    .sort();
}

/** The image's number (odi_NN_...). */
export function imageNumber(name: string): number {
  return Number(name.slice(4, 6));
}

/** Fixed split: numbers divisible by 5 are test images, the other 20 train. */
export function split(names: string[]): { train: string[]; test: string[] } {
  return {
    train: names.filter((n) => imageNumber(n) % 5 !== 0),
    test: names.filter((n) => imageNumber(n) % 5 === 0),
  };
}

/** Shrinks an ERP to the given width (keeping 2:1) with PIL-exact bicubic; no-op if already that size. */
export function shrinkTo(img: Rgb8, width: number): Rgb8 {
  if (img.width === width) return img;
  const height = width / 2;
  return { width, height, data: pilResizeU8(img.data, img.width, img.height, width, height) };
}
