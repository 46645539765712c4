// The study's run: train, build the exact Jacobian of training, take its SVD
// and run every analysis of the paper on it, plus the seed, label-shuffle,
// noise-input and training-length variants.
import { createExecutor, type Executor } from "../../core/executor.js";
import type { StudyContext } from "../../core/study.js";
import {
  alignments,
  bulkBasis,
  meanWhere,
  perturbationEffects,
  randomSubspace,
  regionOf,
  type SpectrumSummary,
  spectrumSummary,
  subspaceOverlap,
  type Thresholds,
} from "./analysis.js";
import type { Config } from "./config.js";
import { type DigitSet, loadDigits, pickDigits } from "./digits.js";
import { lanczosEstimates, spanExperiment, svdApply } from "./experiments.js";
import { jvpThroughTraining } from "./jacobian.js";
import { type Svd, singularValues, svdSquare } from "./linalg.js";
import { initParams, type MlpShape, parameterCount } from "./mlp.js";
import { parallelJacobian } from "./parallel-jacobian.js";
import { referenceSpectra } from "./reference.js";
import { accuracy } from "./span-training.js";
import type { Summary } from "./summary.js";
import { type TrainSetup, type Trajectory, train } from "./training.js";

/** Evenly spaced points of a descending spectrum for plotting (rank as a fraction of P). */
function spectrumPoints(s: Float64Array, max = 400): { rank: number; s: number }[] {
  const step = Math.max(1, Math.floor(s.length / max));
  const out: { rank: number; s: number }[] = [];
  for (let i = 0; i < s.length; i += step) out.push({ rank: (i + 0.5) / s.length, s: s[i] });
  out.push({ rank: (s.length - 0.5) / s.length, s: s[s.length - 1] });
  return out;
}

function noiseImages(count: number, features: number, ctx: StudyContext): DigitSet {
  const rng = ctx.rng.fork("noise-inputs");
  const images = new Float64Array(count * features).map(() => rng.uniform());
  return { images, labels: new Int32Array(count), count, features };
}

export interface RunResult {
  trajectory: Trajectory;
  final: Float64Array;
  trainAccuracy: number;
  testAccuracy: number;
  s: Float64Array;
  svd: Svd | null;
  checkpoints: Map<number, Float64Array>;
  jacobianSeconds: number;
  maxFiniteDifferenceError: number | null;
}

export async function runStudy(config: Config, ctx: StudyContext): Promise<Summary> {
  const started = performance.now();
  const digits = loadDigits();
  const trainSet = pickDigits(
    digits.train,
    Array.from({ length: config.trainSize }, (_, i) => i),
  );
  const shape: MlpShape = { inputs: 64, width: config.width, classes: 10 };
  const p = parameterCount(shape);
  const thresholds: Thresholds = {
    chaoticAbove: config.chaoticAbove,
    stableBelow: config.stableBelow,
    bulkWithin: config.bulkWithin,
    bulkTightWithin: config.bulkTightWithin,
  };
  const batchesPerEpoch = Math.floor(config.trainSize / config.batchSize);
  const setupFor = (set: DigitSet): TrainSetup => ({
    shape,
    train: set,
    batchSize: config.batchSize,
    epochs: config.epochs,
    learningRate: config.learningRate,
    momentum: config.momentum,
  });
  const executor: Executor = createExecutor(config.workers);

  async function analyseRun(
    label: string,
    theta0: Float64Array,
    set: DigitSet,
    options: { vectors: boolean; checkpointEpochs: number[]; fdColumns: number },
  ): Promise<RunResult> {
    const trajectory = train(theta0, setupFor(set), {
      keepTrajectory: true,
      onEpoch: (epoch, loss) => ctx.metric({ kind: "epoch", run: label, epoch, loss }),
    });
    const t0 = performance.now();
    const checkpointSteps = options.checkpointEpochs.map((e) => e * batchesPerEpoch);
    const { jacobian, atCheckpoints } = await parallelJacobian(trajectory, executor, {
      chunks: config.chunks,
      checkpoints: checkpointSteps,
      onChunk: (done, total) =>
        ctx.progress({ stage: `jacobian ${label}`, done, total, message: `P=${p}` }),
    });
    const jacobianSeconds = (performance.now() - t0) / 1000;

    // finite differences of the whole run against a few columns of J
    let maxFiniteDifferenceError: number | null = null;
    if (options.fdColumns > 0) {
      const rng = ctx.rng.fork(`fd-${label}`);
      const h = 1e-6;
      maxFiniteDifferenceError = 0;
      for (let k = 0; k < options.fdColumns; k++) {
        const c = rng.int(p);
        const up = Float64Array.from(theta0);
        const down = Float64Array.from(theta0);
        up[c] += h;
        down[c] -= h;
        const fUp = train(up, setupFor(set)).final;
        const fDown = train(down, setupFor(set)).final;
        let err = 0;
        let scale = 0;
        for (let r = 0; r < p; r++) {
          err = Math.max(err, Math.abs((fUp[r] - fDown[r]) / (2 * h) - jacobian.data[c * p + r]));
          scale = Math.max(scale, Math.abs(jacobian.data[c * p + r]));
        }
        maxFiniteDifferenceError = Math.max(maxFiniteDifferenceError, err / scale);
      }
    }

    ctx.progress({ stage: `svd ${label}`, done: 0, total: 1 });
    const svd = options.vectors ? svdSquare(jacobian) : null;
    const s = svd ? svd.s : singularValues(jacobian);
    const checkpoints = new Map<number, Float64Array>();
    options.checkpointEpochs.forEach((epoch, i) => {
      const matrix = atCheckpoints.get(checkpointSteps[i]);
      if (matrix) checkpoints.set(epoch, singularValues(matrix));
    });
    ctx.progress({ stage: `svd ${label}`, done: 1, total: 1 });
    for (const point of spectrumPoints(s)) ctx.metric({ kind: "spectrum", run: label, ...point });
    return {
      trajectory,
      final: trajectory.final,
      trainAccuracy: accuracy(shape, trajectory.final, set),
      testAccuracy: accuracy(shape, trajectory.final, digits.test),
      s,
      svd,
      checkpoints,
      jacobianSeconds,
      maxFiniteDifferenceError,
    };
  }

  try {
    const inits = Array.from({ length: config.seeds }, (_, k) =>
      initParams(shape, ctx.rng.fork(`init-${k}`)),
    );
    const epochs = config.checkpointEpochs.filter((e) => e < config.epochs);
    const main = await analyseRun("seed 0", inits[0], trainSet, {
      vectors: true,
      checkpointEpochs: epochs,
      fdColumns: config.finiteDifferenceColumns,
    });
    const svd = main.svd!;
    const spectrum = spectrumSummary(main.s, thresholds);

    // alignment of left and right singular vectors
    const align = alignments(svd);
    const step = Math.max(1, Math.floor(p / 1500));
    for (let i = 0; i < p; i += step) {
      ctx.metric({ kind: "alignment", index: i, s: main.s[i], alignment: align[i] });
    }
    const inBulk = (i: number) => regionOf(main.s[i], thresholds) === "bulk";
    const inTight = (i: number) => Math.abs(main.s[i] - 1) < thresholds.bulkTightWithin;
    const inStable = (i: number) => regionOf(main.s[i], thresholds) === "stable";

    // output change along singular directions, in and out of distribution
    ctx.progress({ stage: "perturbations", done: 0, total: 1 });
    const noise = noiseImages(digits.test.count, 64, ctx);
    const inverted = digits.test.images.map((x) => 1 - x);
    const effects = perturbationEffects({
      shape,
      final: main.final,
      svd,
      thresholds,
      sets: [
        { name: "train", images: trainSet.images, count: trainSet.count },
        { name: "test", images: digits.test.images, count: digits.test.count },
        { name: "noise", images: noise.images, count: noise.count },
        { name: "inverted", images: inverted, count: digits.test.count },
      ],
      scales: config.perturbationScales,
      directionsPerRegion: config.directionsPerRegion,
    });
    for (const row of effects) ctx.metric({ kind: "perturbation", ...row });
    ctx.progress({ stage: "perturbations", done: 1, total: 1 });
    const at = (region: string, set: string) =>
      effects.find((r) => r.region === region && r.set === set && r.scale === 1)?.medianMaxKl ??
      Number.NaN;
    const perturbation = (["chaotic", "bulk", "stable"] as const).map((region) => ({
      region,
      inDistChange: at(region, "test"),
      outOfDistChange: at(region, "noise"),
      train: at(region, "train"),
      inverted: at(region, "inverted"),
      directions: effects.find((r) => r.region === region)?.directions ?? 0,
    }));

    // other seeds: bulk-subspace overlap against random subspaces
    const others: RunResult[] = [];
    for (let k = 1; k < config.seeds; k++) {
      others.push(
        await analyseRun(`seed ${k}`, inits[k], trainSet, {
          vectors: true,
          checkpointEpochs: [],
          fdColumns: 0,
        }),
      );
    }
    const bulk0 = bulkBasis(svd, thresholds);
    const overlaps = others.map((other, k) => {
      const bulkK = bulkBasis(other.svd!, thresholds);
      const observed = subspaceOverlap(bulk0.rows, bulk0.count, bulkK.rows, bulkK.count, p);
      const random = randomSubspace(bulk0.count, p, ctx.rng.fork(`random-subspace-${k}`));
      const randomBaseline = subspaceOverlap(random, bulk0.count, bulkK.rows, bulkK.count, p);
      return { seed: k + 1, dimensions: [bulk0.count, bulkK.count], observed, randomBaseline };
    });
    const seedOverlap = {
      observed: overlaps.length ? mean(overlaps.map((o) => o.observed)) : Number.NaN,
      randomBaseline: overlaps.length ? mean(overlaps.map((o) => o.randomBaseline)) : Number.NaN,
      expectedRandom: overlaps.length ? Math.max(...overlaps[0].dimensions) / p : Number.NaN,
      pairs: overlaps,
    };

    // label shuffling and noise inputs from the same init
    const variants: { name: string; spectrum: SpectrumSummary; trainAccuracy: number }[] = [];
    const addVariant = async (name: string, set: DigitSet) => {
      const r = await analyseRun(name, inits[0], set, {
        vectors: false,
        checkpointEpochs: [],
        fdColumns: 0,
      });
      variants.push({
        name,
        spectrum: spectrumSummary(r.s, thresholds),
        trainAccuracy: r.trainAccuracy,
      });
    };
    if (config.shuffledLabels) {
      const perm = ctx.rng.fork("label-shuffle").permutation(trainSet.count);
      await addVariant("shuffled labels", {
        ...trainSet,
        labels: Int32Array.from(perm, (i) => trainSet.labels[i]),
      });
    }
    if (config.noiseInputs) {
      await addVariant("noise inputs", {
        ...noiseImages(trainSet.count, 64, ctx),
        labels: trainSet.labels,
      });
    }
    for (const other of others) {
      variants.push({
        name: "another seed",
        spectrum: spectrumSummary(other.s, thresholds),
        trainAccuracy: other.trainAccuracy,
      });
    }
    const trainingLength = [...main.checkpoints.entries()].map(([epoch, s]) => ({
      epochs: epoch,
      spectrum: spectrumSummary(s, thresholds),
    }));
    trainingLength.push({ epochs: config.epochs, spectrum });

    // training inside the span of k singular directions of each region
    ctx.progress({ stage: "span training", done: 0, total: 4 });
    const spanTraining = spanExperiment(
      shape,
      inits[0],
      svd,
      thresholds,
      config,
      setupFor(trainSet),
      digits,
      ctx,
    );

    // matrix-free: J v through training against the dense SVD, and Lanczos on J^T J
    const v = ctx.rng.fork("jvp-check").normals(p);
    const jv = jvpThroughTraining(main.trajectory, v);
    const dense = svdApply(svd, v);
    let jvpError = 0;
    let jvNorm = 0;
    for (let r = 0; r < p; r++) {
      jvpError = Math.max(jvpError, Math.abs(dense[r] - jv[r]));
      jvNorm = Math.max(jvNorm, Math.abs(jv[r]));
    }
    jvpError /= jvNorm;
    const matrixFree = lanczosEstimates(main, config, ctx);

    const references = referenceSpectra();
    const reference = references.get("normal_seed0");
    for (const [name, values] of references) {
      if (name !== "normal_seed0" && name !== "shuffled_seed0") continue;
      const label = `reference ${name.replace("_seed0", "")} (numpy, P=${values.length})`;
      for (const point of spectrumPoints(values))
        ctx.metric({ kind: "spectrum", run: label, ...point });
    }
    return {
      spectrum: {
        chaotic: spectrum.chaotic,
        bulk: spectrum.bulk,
        stable: spectrum.stable,
        bulkTight: spectrum.bulkTight,
        thresholds,
        min: spectrum.min,
        max: spectrum.max,
      },
      alignmentBulkMean: meanWhere(align, inBulk),
      perturbation,
      seedOverlap,
      parameters: p,
      width: config.width,
      steps: config.epochs * batchesPerEpoch,
      trainAccuracy: main.trainAccuracy,
      testAccuracy: main.testAccuracy,
      alignmentTightBulkMean: meanWhere(align, inTight),
      alignmentStableMean: meanWhere(align, inStable),
      variants,
      trainingLength,
      spanTraining,
      matrixFree,
      precision: {
        finiteDifferenceRelativeError: main.maxFiniteDifferenceError,
        jvpAgainstSvdMaxError: jvpError,
      },
      reference: reference
        ? { parameters: reference.length, ...spectrumSummary(reference, thresholds) }
        : null,
      seconds: { jacobian: main.jacobianSeconds, total: (performance.now() - started) / 1000 },
      workers: executor.kind,
    };
  } finally {
    await executor.close();
  }
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
