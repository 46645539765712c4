// Heterogeneous federated data for linear models: seeded Gaussian clients that
// differ in feature means and covariances, and MNIST pixels split by label.
import { loadMnist } from "../../core/data/mnist.js";
import { dot } from "../../core/linalg.js";
import type { Rng } from "../../core/rng.js";
import type { ClientData } from "./clients.js";
import type { Matrix } from "./linalg.js";

export interface SyntheticOptions {
  dimension: number;
  clients: number;
  samplesPerClient: number;
  /** Size of each client's mean shift relative to the unit noise. */
  meanShift: number;
  /** Spread of per-client, per-coordinate standard deviations: exp(spread * N(0,1)). */
  scaleSpread: number;
  /** Target noise for regression (standard deviation). */
  noise: number;
  task: "regression" | "classification";
}

/**
 * Client i draws x = (mu_i + s_i * z) / sqrt(d), z ~ N(0, I), with its own mean
 * mu_i and coordinate scales s_i. Regression targets are x.w_true + noise;
 * classification labels are sign(x.w_true), and client means are pushed
 * along +-w_true alternately, so clients are label-skewed.
 */
export function syntheticClients(options: SyntheticOptions, rng: Rng): ClientData[] {
  const d = options.dimension;
  const teacher = rng.fork("teacher").normals(d);
  const teacherNorm = Math.sqrt(dot(teacher, teacher));
  const out: ClientData[] = [];
  for (let c = 0; c < options.clients; c++) {
    const r = rng.fork(`client-${c}`);
    const mean = r.normals(d, options.meanShift / Math.sqrt(2));
    if (options.task === "classification") {
      const sign = c % 2 === 0 ? 1 : -1;
      for (let j = 0; j < d; j++) mean[j] += (sign * options.meanShift * teacher[j]) / teacherNorm;
    }
    const scales = r.normals(d).map((z) => Math.exp(options.scaleSpread * z));
    const n = options.samplesPerClient;
    const data = new Float64Array(n * d);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++)
        data[i * d + j] = (mean[j] + scales[j] * r.normal()) / Math.sqrt(d);
      const score = dot(data.subarray(i * d, (i + 1) * d), teacher) / teacherNorm;
      y[i] =
        options.task === "regression" ? score + options.noise * r.normal() : score >= 0 ? 1 : -1;
    }
    out.push({ x: { data, rows: n, cols: d }, y });
  }
  return out;
}

export interface MnistClientsOptions {
  clients: number;
  samplesPerClient: number;
  /** Which digits each client holds: `classesPerClient` consecutive digits starting at 2i. */
  classesPerClient: number;
  task: "regression" | "classification";
  seed: number;
}

/**
 * MNIST pixels (centred on the mean image, rows scaled to unit norm) split by label skew: client i holds
 * only digits 2i, 2i+1, ... (mod 10). The linear target is even (+1) versus
 * odd (-1), fitted as a regression target or as a class label.
 */
export function mnistClients(options: MnistClientsOptions): ClientData[] {
  const { train } = loadMnist({ seed: options.seed, train: 8000, test: 0 });
  // Centre pixels on the mean image of the loaded set (a fixed preprocessing
  // step): raw pixels share one dominant direction that makes the Gram
  // matrix badly conditioned.
  const d = train.features;
  const meanImage = new Float64Array(d);
  for (let i = 0; i < train.count; i++) {
    for (let j = 0; j < d; j++) meanImage[j] += train.images[i * d + j] / train.count;
  }
  const used = new Set<number>();
  const out: ClientData[] = [];
  for (let c = 0; c < options.clients; c++) {
    const digits = Array.from({ length: options.classesPerClient }, (_, k) => (2 * c + k) % 10);
    const rows: number[] = [];
    for (let i = 0; i < train.count && rows.length < options.samplesPerClient; i++) {
      if (used.has(i) || !digits.includes(train.labels[i])) continue;
      // alternate digits so each client's classes are balanced
      if (train.labels[i] !== digits[rows.length % digits.length]) continue;
      rows.push(i);
      used.add(i);
    }
    const data = new Float64Array(rows.length * d);
    const y = new Float64Array(rows.length);
    rows.forEach((row, k) => {
      const pixels = Float64Array.from(
        train.images.subarray(row * d, (row + 1) * d),
        (v, j) => v - meanImage[j],
      );
      const scale = 1 / Math.sqrt(dot(pixels, pixels));
      for (let j = 0; j < d; j++) data[k * d + j] = pixels[j] * scale;
      y[k] = train.labels[row] % 2 === 0 ? 1 : -1;
    });
    out.push({ x: { data, rows: rows.length, cols: d } as Matrix, y });
  }
  return out;
}
