// Seeded regression data on the unit sphere: covariates (uniform or a
// non-uniform continuous law), a target in the NTK's function space with RKHS
// norm 1, Gaussian label noise, and the MNIST digits projected to the sphere.
import { loadMnist } from "../../core/data/mnist.js";
import type { Rng } from "../../core/rng.js";
import { gram, type Points } from "./kernel.js";

export type Covariates = "uniform" | "projected-normal";

/**
 * `count` points on S^{dim-1}: uniform (a normalised standard normal), or a
 * normalised normal with standard deviations 1, 2, ..., dim along the axes,
 * a continuous law whose density on the sphere varies by a factor of about dim^dim.
 */
export function spherePoints(rng: Rng, count: number, dim: number, law: Covariates): Points {
  const data = new Float64Array(count * dim);
  for (let i = 0; i < count; i++) {
    let norm2 = 0;
    for (let k = 0; k < dim; k++) {
      const v = rng.normal() * (law === "uniform" ? 1 : k + 1);
      data[i * dim + k] = v;
      norm2 += v * v;
    }
    const inv = 1 / Math.sqrt(norm2);
    for (let k = 0; k < dim; k++) data[i * dim + k] *= inv;
  }
  return { count, dim, data };
}

/** f*(x) = sum_j c_j K(x, z_j), scaled so that ||f*||_K^2 = c^T K_zz c = 1. */
export interface KernelTarget {
  centres: Points;
  weights: Float64Array;
}

/** A target made of `sections` kernel sections at uniform centres with normal weights. */
export function kernelTarget(rng: Rng, dim: number, sections = 10): KernelTarget {
  const centres = spherePoints(rng, sections, dim, "uniform");
  const weights = rng.normals(sections);
  const kzz = gram(centres, centres);
  let norm2 = 0;
  for (let i = 0; i < sections; i++) {
    for (let j = 0; j < sections; j++) norm2 += weights[i] * kzz[i * sections + j] * weights[j];
  }
  const scale = 1 / Math.sqrt(norm2);
  for (let j = 0; j < sections; j++) weights[j] *= scale;
  return { centres, weights };
}

/** Values of the target at the points. */
export function evaluateTarget(target: KernelTarget, points: Points): Float64Array {
  const k = gram(points, target.centres);
  const m = target.weights.length;
  const out = new Float64Array(points.count);
  for (let i = 0; i < points.count; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += k[i * m + j] * target.weights[j];
    out[i] = s;
  }
  return out;
}

/** Adds N(0, sigma^2) noise to a copy of the values. */
export function noisy(rng: Rng, values: Float64Array, sigma: number): Float64Array {
  return Float64Array.from(values, (v) => v + sigma * rng.normal());
}

/** A regression set: points, clean function values, and (for training) noisy labels. */
export interface RegressionSet {
  points: Points;
  clean: Float64Array;
}

/** The smooth function of the digit used as the MNIST regression target. */
export function digitTarget(label: number): number {
  return Math.cos((Math.PI * label) / 9);
}

/**
 * MNIST digits (seeded split) with pixels centred by the training mean, mapped
 * by one fixed Gaussian projection to `dim` numbers and normalised onto the
 * sphere; the clean target is digitTarget(label).
 */
export function mnistSphere(
  rng: Rng,
  options: { train: number; test: number; dim: number; seed: number },
): { train: RegressionSet; test: RegressionSet } {
  const split = loadMnist({ seed: options.seed, train: options.train, test: options.test });
  const pixels = split.train.features;
  const mean = new Float64Array(pixels);
  for (let i = 0; i < split.train.count; i++) {
    for (let p = 0; p < pixels; p++) mean[p] += split.train.images[i * pixels + p];
  }
  for (let p = 0; p < pixels; p++) mean[p] /= split.train.count;
  const projection = rng.normals(options.dim * pixels);
  const toSphere = (images: Float32Array, labels: Int32Array, count: number): RegressionSet => {
    const d = options.dim;
    const data = new Float64Array(count * d);
    for (let i = 0; i < count; i++) {
      let norm2 = 0;
      for (let k = 0; k < d; k++) {
        let s = 0;
        for (let p = 0; p < pixels; p++) {
          s += projection[k * pixels + p] * (images[i * pixels + p] - mean[p]);
        }
        data[i * d + k] = s;
        norm2 += s * s;
      }
      const inv = norm2 > 0 ? 1 / Math.sqrt(norm2) : 0;
      for (let k = 0; k < d; k++) data[i * d + k] *= inv;
    }
    return { points: { count, dim: d, data }, clean: Float64Array.from(labels, digitTarget) };
  };
  return {
    train: toSphere(split.train.images, split.train.labels, split.train.count),
    test: toSphere(split.test.images, split.test.labels, split.test.count),
  };
}
