// Side-by-side crops for the report: LR (nearest-neighbour enlarged), bicubic,
// the network, and ground truth, near the equator and near a pole, as PNG data URIs.
import { bicubicUpscale } from "./baselines.js";
import type { TestCase } from "./evaluate.js";
import { cropRgb8, encodePng, type Rgb8 } from "./image.js";

/** One row of crops at one place in the image. */
export interface CropPanel {
  place: string;
  image: string;
  scale: number;
  x: number;
  y: number;
  size: number;
  /** Label and PNG data URI per column. */
  tiles: { label: string; src: string }[];
}

function nearestUp(img: Rgb8, s: number): Rgb8 {
  const width = img.width * s;
  const height = img.height * s;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = (Math.floor(y / s) * img.width + Math.floor(x / s)) * 3;
      data.set(img.data.subarray(src, src + 3), (y * width + x) * 3);
    }
  }
  return { width, height, data };
}

function dataUri(img: Rgb8): string {
  return `data:image/png;base64,${Buffer.from(encodePng(img)).toString("base64")}`;
}

/** Crops near the equator and near the north pole of one test case. */
export function makeCrops(c: TestCase, ours: (lr: Rgb8) => Rgb8): CropPanel[] {
  const full = [
    { label: "LR (nearest)", img: nearestUp(c.lr, c.scale) },
    { label: "bicubic", img: bicubicUpscale(c.lr, c.scale) },
    { label: "unfolded (ours)", img: ours(c.lr) },
    { label: "ground truth", img: c.hr },
  ];
  const size = Math.min(64, Math.floor(c.hr.height / 4));
  const x = Math.floor(c.hr.width / 2 - size / 2);
  const places = [
    { place: "equator", y: Math.floor(c.hr.height / 2 - size / 2) },
    { place: "near the north pole", y: Math.floor(c.hr.height * 0.04) },
  ];
  return places.map(({ place, y }) => ({
    place,
    image: c.image,
    scale: c.scale,
    x,
    y,
    size,
    tiles: full.map(({ label, img }) => ({ label, src: dataUri(cropRgb8(img, x, y, size, size)) })),
  }));
}
