// The 8x8 handwritten digits (UCI optdigits, as shipped by scikit-learn) with the
// 1,600 / 197 train/test split used by the training-Jacobian paper's code.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { UsageError } from "../../core/errors.js";

export const DIGIT_FEATURES = 64;
export const DIGIT_CLASSES = 10;

/** Flattened images (row-major, `count x 64`, pixel counts divided by 16) and labels. */
export interface DigitSet {
  images: Float64Array;
  labels: Int32Array;
  count: number;
  features: number;
}

export interface DigitSplit {
  train: DigitSet;
  test: DigitSet;
}

const defaultFolder = join(dirname(fileURLToPath(import.meta.url)), "../../../data/digits");

function readOrThrow(path: string): Buffer {
  if (!existsSync(path)) {
    throw new UsageError(
      `digits data file ${path} is missing: restore data/digits/ from the repository`,
    );
  }
  return readFileSync(path);
}

/** All 1,797 digits in the file's order, features scaled to [0, 1]. */
export function loadDigitsAll(folder = defaultFolder): DigitSet {
  const text = gunzipSync(readOrThrow(join(folder, "digits.csv.gz"))).toString("utf8");
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const rows = lines[0].startsWith("label") ? lines.slice(1) : lines;
  const images = new Float64Array(rows.length * DIGIT_FEATURES);
  const labels = new Int32Array(rows.length);
  rows.forEach((line, i) => {
    const cells = line.split(",").map(Number);
    if (cells.length !== DIGIT_FEATURES + 1 || cells.some((v) => !Number.isFinite(v))) {
      throw new UsageError(
        `digits.csv.gz line ${i + 2} is malformed: expected label and 64 pixels`,
      );
    }
    labels[i] = cells[0];
    for (let k = 0; k < DIGIT_FEATURES; k++) images[i * DIGIT_FEATURES + k] = cells[k + 1] / 16;
  });
  return { images, labels, count: rows.length, features: DIGIT_FEATURES };
}

/** Picks rows of a set, in the given order. */
export function pickDigits(set: DigitSet, rows: ArrayLike<number>): DigitSet {
  const f = set.features;
  const images = new Float64Array(rows.length * f);
  const labels = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    images.set(set.images.subarray(r * f, (r + 1) * f), i * f);
    labels[i] = set.labels[r];
  }
  return { images, labels, count: rows.length, features: f };
}

/** The paper's split (scikit-learn `train_test_split(test_size=197, random_state=0)`). */
export function loadDigits(folder = defaultFolder): DigitSplit {
  const all = loadDigitsAll(folder);
  const split = JSON.parse(
    readOrThrow(join(folder, "split_sklearn_rs0_test197.json")).toString("utf8"),
  ) as { train_idx: number[]; test_idx: number[] };
  for (const r of [...split.train_idx, ...split.test_idx]) {
    if (!Number.isInteger(r) || r < 0 || r >= all.count) {
      throw new UsageError(`split file names row ${r}, outside 0..${all.count - 1}`);
    }
  }
  return { train: pickDigits(all, split.train_idx), test: pickDigits(all, split.test_idx) };
}
