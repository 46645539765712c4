// Measuring methods on held-out ERPs: each test image is degraded (bicubic or
// realistic, seeded per image and scale), upscaled by each method, and scored
// with WS-PSNR, WS-SSIM and PSNR; time per image is wall-clock of the upscale
// after one untimed warm-up call per method and scale.
import type { Rng } from "../../core/rng.js";
import { bicubicUpscale, gdUpscale } from "./baselines.js";
import {
  type Degradation,
  degradeBicubic,
  degradeRealistic,
  drawRealistic,
  type RealisticParams,
} from "./degrade.js";
import type { Rgb8 } from "./image.js";
import { psnr, wsPsnr, wsSsim } from "./metrics.js";

/** One row of the results table, averaged over the test images. */
export interface TableRow {
  method: string;
  scale: number;
  degradation: Degradation;
  wsPsnr: number;
  wsSsim: number;
  psnr: number;
  secondsPerImage: number;
}

/** A method: a name and an upscaler for one scale (null if it has none at that scale). */
export interface Method {
  name: string;
  upscale(lr: Rgb8, scale: number): Rgb8 | null;
}

/**
 * Bicubic, `gd` = gradient descent with `gdSteps` steps of size s^2 (near the
 * best step), and `gd-K` with as many steps as the network has stages.
 */
export function baselineMethods(gdSteps: number, networkStages: number): Method[] {
  const methods: Method[] = [
    { name: "bicubic", upscale: (lr, s) => bicubicUpscale(lr, s) },
    { name: "gd", upscale: (lr, s) => gdUpscale(lr, s, gdSteps, s * s) },
  ];
  if (networkStages > 0 && networkStages !== gdSteps) {
    methods.push({
      name: `gd-${networkStages}`,
      upscale: (lr, s) => gdUpscale(lr, s, networkStages, s * s),
    });
  }
  return methods;
}

/** A degraded test case: HR image, its LR version and, if realistic, the drawn parameters. */
export interface TestCase {
  image: string;
  scale: number;
  degradation: Degradation;
  hr: Rgb8;
  lr: Rgb8;
  params?: RealisticParams;
}

/** Degrades every test image at every scale both ways, with seeds per image and scale. */
export function makeCases(
  images: { name: string; hr: Rgb8 }[],
  scales: number[],
  rng: Rng,
): TestCase[] {
  const cases: TestCase[] = [];
  for (const { name, hr } of images) {
    for (const scale of scales) {
      cases.push({ image: name, scale, degradation: "bicubic", hr, lr: degradeBicubic(hr, scale) });
      const r = rng.fork(`${name}-x${scale}`);
      const params = drawRealistic(r, scale);
      const lr = degradeRealistic(hr, scale, params, r);
      cases.push({ image: name, scale, degradation: "realistic", hr, lr, params });
    }
  }
  return cases;
}

/** Scores each method on each case; `onCase` sees every per-image record. */
export function evaluate(
  methods: Method[],
  cases: TestCase[],
  onCase: (record: Record<string, unknown>) => void = () => {},
): TableRow[] {
  const rows: TableRow[] = [];
  for (const method of methods) {
    // One untimed call per scale first, so that compiling a network is not
    // counted as time per image.
    for (const scale of new Set(cases.map((c) => c.scale))) {
      const first = cases.find((c) => c.scale === scale);
      if (first) method.upscale(first.lr, scale);
    }
    const groups = new Map<string, TableRow & { count: number }>();
    for (const c of cases) {
      const start = performance.now();
      const out = method.upscale(c.lr, c.scale);
      if (!out) continue;
      const seconds = (performance.now() - start) / 1000;
      const score = { wsPsnr: wsPsnr(out, c.hr), wsSsim: wsSsim(out, c.hr), psnr: psnr(out, c.hr) };
      onCase({
        method: method.name,
        image: c.image,
        scale: c.scale,
        degradation: c.degradation,
        seconds,
        ...score,
      });
      const key = `${c.scale}/${c.degradation}`;
      const g = groups.get(key) ?? {
        method: method.name,
        scale: c.scale,
        degradation: c.degradation,
        wsPsnr: 0,
        wsSsim: 0,
        psnr: 0,
        secondsPerImage: 0,
        count: 0,
      };
      g.wsPsnr += score.wsPsnr;
      g.wsSsim += score.wsSsim;
      g.psnr += score.psnr;
      g.secondsPerImage += seconds;
      g.count++;
      groups.set(key, g);
    }
    for (const { count, ...g } of groups.values()) {
      rows.push({
        ...g,
        wsPsnr: g.wsPsnr / count,
        wsSsim: g.wsSsim / count,
        psnr: g.psnr / count,
        secondsPerImage: g.secondsPerImage / count,
      });
    }
  }
  return rows;
}
