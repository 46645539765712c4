// Streaming private counters: `add(x)` takes the next element of a scalar or
// vector stream and returns the noisy prefix sum (or momentum/decay workload
// output) so far. Each is a factorisation mechanism A = L R releasing A x + L z
// with z ~ N(0, (sigma Delta ||R||_{1->2})^2 I) per coordinate: rho = 1/(2 sigma^2)
// zCDP when every x_t has L2 norm at most Delta and neighbours differ in one x_t.
import { UsageError } from "../../core/errors.js";
import type { BinnedMatrix } from "./binning.js";
import { binnedProfile, binToeplitz } from "./binning.js";
import type { ErrorProfile } from "./errors.js";
import { convolveColumns } from "./fft.js";
import type { RandomSource } from "./noise.js";
import { CryptoSource, discreteGaussian, fillGaussian, rationalOf } from "./noise.js";
import type { Workload } from "./toeplitz.js";
import {
  checkWorkload,
  isPrefixSums,
  PREFIX_SUMS,
  prefixSquares,
  sqrtWorkloadCoefficients,
  workloadCoefficients,
} from "./toeplitz.js";
import { honakerFactors, honakerProfile, treeLevels, treeProfile } from "./tree.js";

export const MECHANISMS = ["independent", "tree", "tree-honaker", "sqrt", "binned"] as const;
export type MechanismName = (typeof MECHANISMS)[number];

export type NoiseKind = "gaussian" | "discrete-gaussian";

/** A prebuilt binned factorisation: the matrix and its exact error profile. */
export interface BinnedFactorisation {
  matrix: BinnedMatrix;
  profile: ErrorProfile;
}

export interface CounterOptions {
  mechanism: MechanismName;
  /** Stream length n fixed in advance (the sensitivity depends on it). */
  horizon: number;
  /** Dimension of each stream element (1 for a scalar stream). */
  dim?: number;
  /** sigma: rho = 1 / (2 sigma^2). */
  noiseMultiplier: number;
  /** Delta: the largest L2 norm of one stream element (default 1). */
  sensitivity?: number;
  /** Where the noise comes from (default: the operating system's CSPRNG). */
  random?: RandomSource;
  /** Gaussian, or discrete Gaussian for integer streams (independent and tree mechanisms). */
  noise?: NoiseKind;
  /** Prefix sums (default) or the momentum / weight-decay workload (sqrt and binned only). */
  workload?: Workload;
  /** Binning parameter d (c = 1 - 1/d, tau = 1/n), or a prebuilt factorisation. */
  binning?: { d: number } | BinnedFactorisation;
}

/** A private continual counter over a stream of `dim`-vectors. */
export interface StreamingCounter {
  readonly mechanism: MechanismName;
  readonly horizon: number;
  readonly dim: number;
  readonly noise: NoiseKind;
  readonly randomKind: RandomSource["kind"];
  /** ||R||_{1->2}^2 of the mechanism's encoder. */
  readonly sens2: number;
  /** Variance of each coordinate of the noise entry z (sigma Delta)^2 ||R||^2_{1->2}. */
  readonly noiseVariance: number;
  /** Steps taken so far. */
  readonly steps: number;
  /** The next element in, the noisy workload output (length dim) out. */
  add(x: number | ArrayLike<number>): Float64Array;
  /** Floats of noise state held now, between steps. */
  noiseMemoryFloats(): number;
  /**
   * The most floats of noise state held between steps so far (binned: space x dim;
   * tree: at most (floor(log2 n) + 1) x dim; exact sqrt: n x dim). Within a step
   * a counter briefly holds one more vector, the new noise draw.
   */
  readonly peakNoiseMemoryFloats: number;
  /** Analytic variance of each output coordinate at step t (1-based). */
  variance(t: number): number;
}

/** The error profile (||L_t||^2 and sens^2) of a mechanism at horizon n. */
export function mechanismProfile(
  mechanism: MechanismName,
  n: number,
  options: { workload?: Workload; binning?: CounterOptions["binning"] } = {},
): ErrorProfile {
  const workload = options.workload ?? PREFIX_SUMS;
  checkWorkload(workload);
  if (!isPrefixSums(workload) && mechanism !== "sqrt" && mechanism !== "binned") {
    throw new UsageError(
      `the ${mechanism} mechanism counts prefix sums only; use sqrt or binned for a momentum workload`,
    );
  }
  switch (mechanism) {
    case "independent": {
      const rowNorm2 = new Float64Array(n);
      for (let t = 0; t < n; t++) rowNorm2[t] = t + 1;
      return { rowNorm2, sens2: 1 };
    }
    case "tree":
      return treeProfile(n);
    case "tree-honaker":
      return honakerProfile(n);
    case "sqrt": {
      const rowNorm2 = prefixSquares(sqrtWorkloadCoefficients(n, workload));
      return { rowNorm2, sens2: rowNorm2[n - 1] };
    }
    case "binned":
      return buildBinned(n, workload, options.binning).profile;
  }
}

/** Bins sqrt(workload) with c = 1 - 1/d, tau = 1/n and solves R = L^{-1} A exactly. */
export function buildBinned(
  n: number,
  workload: Workload,
  binning: CounterOptions["binning"] = { d: 8 },
): BinnedFactorisation {
  if ("matrix" in binning) {
    if (binning.matrix.n !== n) {
      throw new UsageError(`the binned matrix has n=${binning.matrix.n}, the counter n=${n}`);
    }
    return binning;
  }
  if (!(binning.d > 1))
    throw new UsageError(`binning needs d > 1 (c = 1 - 1/d), got d=${binning.d}`);
  const matrix = binToeplitz(sqrtWorkloadCoefficients(n, workload), 1 - 1 / binning.d, 1 / n);
  return { matrix, profile: binnedProfile(matrix, workloadCoefficients(n, workload)) };
}

/** Builds a streaming counter. */
export function makeCounter(options: CounterOptions): StreamingCounter {
  const n = options.horizon;
  if (!(Number.isInteger(n) && n >= 1))
    throw new UsageError(`horizon must be a whole number >= 1, got ${n}`);
  const dim = options.dim ?? 1;
  if (!(Number.isInteger(dim) && dim >= 1))
    throw new UsageError(`dim must be a whole number >= 1, got ${dim}`);
  if (!(options.noiseMultiplier > 0 && Number.isFinite(options.noiseMultiplier))) {
    throw new UsageError(
      `noise multiplier must be a positive number, got ${options.noiseMultiplier}`,
    );
  }
  const sensitivity = options.sensitivity ?? 1;
  if (!(sensitivity > 0 && Number.isFinite(sensitivity))) {
    throw new UsageError(`sensitivity must be a positive number, got ${sensitivity}`);
  }
  const noise = options.noise ?? "gaussian";
  const integerEncoder = ["independent", "tree", "tree-honaker"].includes(options.mechanism);
  if (noise === "discrete-gaussian") {
    if (!integerEncoder) {
      throw new UsageError(
        `discrete Gaussian noise needs an integer encoder R (independent, tree, tree-honaker); ${options.mechanism} has a real-valued R, so R x is not an integer vector`,
      );
    }
    if (!Number.isInteger(sensitivity))
      throw new UsageError("discrete Gaussian noise needs an integer sensitivity");
  }
  const workload = options.workload ?? PREFIX_SUMS;
  const random = options.random ?? new CryptoSource();
  const setup: Setup = {
    n,
    dim,
    sensitivity,
    noise,
    random,
    workload,
    sigma: options.noiseMultiplier,
  };
  switch (options.mechanism) {
    case "independent":
    case "tree":
    case "tree-honaker":
      if (!isPrefixSums(workload)) mechanismProfile(options.mechanism, n, { workload });
      return new TreeCounter(setup, options.mechanism);
    case "sqrt":
      return new ToeplitzCounter(setup);
    case "binned":
      return new BinnedCounter(setup, buildBinned(n, workload, options.binning));
    default:
      throw new UsageError(
        `unknown mechanism '${options.mechanism}'; known: ${MECHANISMS.join(", ")}`,
      );
  }
}

interface Setup {
  n: number;
  dim: number;
  sensitivity: number;
  noise: NoiseKind;
  random: RandomSource;
  workload: Workload;
  sigma: number;
}

/** What every counter shares: input checks, the exact workload output, noise draws. */
abstract class BaseCounter implements StreamingCounter {
  abstract readonly mechanism: MechanismName;
  readonly horizon: number;
  readonly dim: number;
  readonly noise: NoiseKind;
  readonly randomKind: RandomSource["kind"];
  readonly noiseVariance: number;
  steps = 0;
  peakNoiseMemoryFloats = 0;
  protected readonly profile: ErrorProfile;
  // Exact workload output y_t = (alpha + beta) y_{t-1} - alpha beta y_{t-2} + x_t.
  private exact: Float64Array;
  private exactPrevious: Float64Array;
  private input: Float64Array;

  constructor(
    protected readonly setup: Setup,
    profile: ErrorProfile,
  ) {
    this.horizon = setup.n;
    this.dim = setup.dim;
    this.noise = setup.noise;
    this.randomKind = setup.random.kind;
    this.profile = profile;
    this.noiseVariance = (setup.sigma * setup.sensitivity) ** 2 * profile.sens2;
    this.exact = new Float64Array(setup.dim);
    this.exactPrevious = new Float64Array(setup.dim);
    this.input = new Float64Array(setup.dim);
  }

  get sens2(): number {
    return this.profile.sens2;
  }

  variance(t: number): number {
    return this.profile.rowNorm2[t - 1] * this.noiseVariance;
  }

  add(x: number | ArrayLike<number>): Float64Array {
    if (this.steps >= this.horizon) {
      throw new UsageError(
        `the stream is longer than the counter's horizon n=${this.horizon}; build the counter with a larger n`,
      );
    }
    const input = this.input;
    if (typeof x === "number") {
      if (this.dim !== 1)
        throw new UsageError(`expected a vector of length ${this.dim}, got a number`);
      input[0] = x;
    } else {
      if (x.length !== this.dim)
        throw new UsageError(`expected a vector of length ${this.dim}, got length ${x.length}`);
      for (let i = 0; i < this.dim; i++) input[i] = x[i];
    }
    for (let i = 0; i < this.dim; i++) {
      if (!Number.isFinite(input[i]))
        throw new UsageError(`stream element ${this.steps + 1} has a non-finite value`);
      if (this.noise === "discrete-gaussian" && !Number.isInteger(input[i])) {
        throw new UsageError(
          `discrete Gaussian noise needs integer stream values; element ${this.steps + 1} is ${input[i]}`,
        );
      }
    }
    const { alpha, beta } = this.setup.workload;
    const out = new Float64Array(this.dim);
    for (let i = 0; i < this.dim; i++) {
      const y = (alpha + beta) * this.exact[i] - alpha * beta * this.exactPrevious[i] + input[i];
      this.exactPrevious[i] = this.exact[i];
      this.exact[i] = y;
    }
    this.steps++;
    this.noiseOutput(out);
    for (let i = 0; i < this.dim; i++) out[i] += this.exact[i];
    this.peakNoiseMemoryFloats = Math.max(this.peakNoiseMemoryFloats, this.noiseMemoryFloats());
    return out;
  }

  /** Writes (L z)_t for the current step into `out`. */
  protected abstract noiseOutput(out: Float64Array): void;

  abstract noiseMemoryFloats(): number;

  /** A fresh noise vector z (one coordinate per stream coordinate). */
  protected draw(): Float64Array {
    const z = new Float64Array(this.dim);
    if (this.noise === "gaussian")
      return fillGaussian(this.setup.random, z, Math.sqrt(this.noiseVariance));
    const sigma2 = rationalOf(this.noiseVariance);
    for (let i = 0; i < this.dim; i++) z[i] = Number(discreteGaussian(this.setup.random, sigma2));
    return z;
  }
}

/**
 * Independent noise (R = I) and the binary tree: a stack of the dyadic blocks of
 * [1, t], each holding its noise estimate. A completed parent's estimate is its
 * own node noise (standard) or, with Honaker, the minimum-variance combination
 * v(h) z_node + (1 - v(h)) (left + right); memory: at most floor(log2 n) + 1 vectors.
 */
class TreeCounter extends BaseCounter {
  private stack: { height: number; estimate: Float64Array }[] = [];
  private weights: Float64Array;
  private independentSum: Float64Array | null = null;

  constructor(
    setup: Setup,
    readonly mechanism: "independent" | "tree" | "tree-honaker",
  ) {
    super(setup, mechanismProfile(mechanism, setup.n));
    this.weights = honakerFactors(treeLevels(setup.n) + 1);
    if (mechanism === "independent") this.independentSum = new Float64Array(setup.dim);
  }

  protected noiseOutput(out: Float64Array): void {
    if (this.independentSum) {
      const z = this.draw();
      for (let i = 0; i < this.dim; i++) this.independentSum[i] += z[i];
      out.set(this.independentSum);
      return;
    }
    this.stack.push({ height: 0, estimate: this.draw() });
    while (
      this.stack.length >= 2 &&
      this.stack[this.stack.length - 1].height === this.stack[this.stack.length - 2].height
    ) {
      const right = this.stack.pop() as { height: number; estimate: Float64Array };
      const left = this.stack.pop() as { height: number; estimate: Float64Array };
      const height = right.height + 1;
      const node = this.draw();
      if (this.mechanism === "tree-honaker") {
        const w = this.weights[height];
        for (let i = 0; i < this.dim; i++) {
          node[i] = w * node[i] + (1 - w) * (left.estimate[i] + right.estimate[i]);
        }
      }
      this.stack.push({ height, estimate: node });
    }
    out.fill(0);
    for (const block of this.stack) for (let i = 0; i < this.dim; i++) out[i] += block.estimate[i];
  }

  noiseMemoryFloats(): number {
    return this.independentSum ? this.dim : this.stack.length * this.dim;
  }
}

/**
 * The exact square-root factorisation L = R = sqrt(A) (Toeplitz). It draws all n
 * noise vectors when the stream starts and correlates them with one FFT
 * convolution per pair of coordinates, so it holds n x dim floats throughout
 * (a per-step version would hold t x dim floats and cost O(t dim) per step).
 */
class ToeplitzCounter extends BaseCounter {
  readonly mechanism = "sqrt" as const;
  private correlated: Float64Array | null = null;
  private readonly coefficients: Float64Array;

  constructor(setup: Setup) {
    const coefficients = sqrtWorkloadCoefficients(setup.n, setup.workload);
    const rowNorm2 = prefixSquares(coefficients);
    super(setup, { rowNorm2, sens2: rowNorm2[setup.n - 1] });
    this.coefficients = coefficients;
  }

  protected noiseOutput(out: Float64Array): void {
    if (!this.correlated) {
      const { n } = this.setup;
      const z = new Float64Array(n * this.dim);
      fillGaussian(this.setup.random, z, Math.sqrt(this.noiseVariance));
      convolveColumns(this.coefficients, z, n, this.dim);
      this.correlated = z;
    }
    const t = this.steps - 1;
    out.set(this.correlated.subarray(t * this.dim, (t + 1) * this.dim));
  }

  noiseMemoryFloats(): number {
    return this.correlated ? this.correlated.length : 0;
  }
}

/**
 * Binned sqrt(A) (Andersson & Pagh, Algorithm 1): one running noise sum per bin.
 * Each step prepends the new noise vector as a singleton bin, merges bins as the
 * precomputed row says, and outputs sum over bins of value * bin sum.
 */
class BinnedCounter extends BaseCounter {
  readonly mechanism = "binned" as const;
  private sums: Float64Array[] = [];

  constructor(
    setup: Setup,
    readonly factorisation: BinnedFactorisation,
  ) {
    super(setup, factorisation.profile);
  }

  protected noiseOutput(out: Float64Array): void {
    const { matrix } = this.factorisation;
    const row = this.steps - 1;
    const first = matrix.rowStart[row];
    const count = matrix.rowStart[row + 1] - first;
    const input = [this.draw(), ...this.sums];
    const next: Float64Array[] = [];
    let k = 0;
    for (let b = 0; b < count; b++) {
      const size = matrix.groups[first + b];
      const target = input[k];
      for (let extra = 1; extra < size; extra++) {
        const other = input[k + extra];
        for (let i = 0; i < this.dim; i++) target[i] += other[i];
      }
      next.push(target);
      k += size;
    }
    this.sums = next;
    out.fill(0);
    for (let b = 0; b < count; b++) {
      const v = matrix.values[first + b];
      const sum = next[b];
      for (let i = 0; i < this.dim; i++) out[i] += v * sum[i];
    }
  }

  noiseMemoryFloats(): number {
    return this.sums.length * this.dim;
  }

  /** The binned matrix's space: the most bins in any row. */
  get space(): number {
    return this.factorisation.matrix.space;
  }
}
