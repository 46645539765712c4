// Seeded synthetic data: sparse linear regression and linearly separable
// classification, both with Gaussian features.
import { UsageError } from "../errors.js";
import type { Rng } from "../rng.js";

export interface RegressionProblem {
  n: number;
  d: number;
  /** Row-major n x d design. */
  x: Float64Array;
  y: Float64Array;
  betaStar: Float64Array;
}

/** x ~ N(0, I), beta* with `support` ones at random coordinates, y = X beta* + noise. */
export function sparseRegression(
  n: number,
  d: number,
  support: number,
  rng: Rng,
  noise = 0,
): RegressionProblem {
  if (support > d)
    throw new UsageError(`sparseRegression: support ${support} exceeds dimension ${d}`);
  const x = rng.normals(n * d);
  const betaStar = new Float64Array(d);
  const order = rng.permutation(d);
  for (let k = 0; k < support; k++) betaStar[order[k]] = 1;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j] * betaStar[j];
    y[i] = s + (noise > 0 ? noise * rng.normal() : 0);
  }
  return { n, d, x, y, betaStar };
}

export interface ClassificationProblem {
  n: number;
  d: number;
  x: Float64Array;
  /** Labels in {-1, +1}. */
  y: Float64Array;
  /** Unit normal of the separating hyperplane through the origin. */
  direction: Float64Array;
}

/**
 * x ~ N(0, I) conditioned on |<w*, x>| >= margin, labelled y = sign(<w*, x>)
 * for a random unit w*: separable with margin at least `margin`.
 */
export function separableClassification(
  n: number,
  d: number,
  margin: number,
  rng: Rng,
): ClassificationProblem {
  const direction = rng.normals(d);
  const length = Math.hypot(...direction);
  for (let j = 0; j < d; j++) direction[j] /= length;
  const x = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = rng.normals(d);
    let s = 0;
    for (let j = 0; j < d; j++) s += row[j] * direction[j];
    // move the sample out of the margin band along w* (keeps the other coordinates Gaussian)
    const label = s >= 0 ? 1 : -1;
    const shift = Math.abs(s) < margin ? label * margin - s : 0;
    for (let j = 0; j < d; j++) x[i * d + j] = row[j] + shift * direction[j];
    y[i] = label;
  }
  return { n, d, x, y, direction };
}
