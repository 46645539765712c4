// The experiments: test error against n for the early-stopped network, NTK
// GD stopped by the rule and kernel ridge regression (with eps_n^2 beside
// them); test error against GD steps with the rule's stop; and the distance
// between the network and the NTK as the width grows.
import { Rng } from "../../core/rng.js";
import type { MetricRecord, ProgressFn } from "../../core/study.js";
import {
  type Covariates,
  evaluateTarget,
  kernelTarget,
  mnistSphere,
  noisy,
  spherePoints,
} from "./data.js";
import { empiricalGram, gram, type Points, supDistance } from "./kernel.js";
import {
  criticalRate,
  fitKernel,
  gdCoefficients,
  gdCoefficientsIterative,
  type KernelFit,
  kernelEigenvalues,
  meanSquared,
  predict,
  ridgeSolve,
  stoppingStep,
} from "./kernel-gd.js";
import { forward, gdStep, gdWorkspace, symmetricInit } from "./network.js";

export type Dataset = Covariates | "mnist";

export interface ExperimentSettings {
  dim: number;
  sigma0: number;
  eta: number;
  kappa: number;
  width: number;
  testPoints: number;
  sections: number;
}

/** One seeded problem: training points and labels, test points and clean values. */
export interface Problem {
  train: Points;
  labels: Float64Array;
  test: Points;
  clean: Float64Array;
}

/** Draws the problem for a data set, size and repeat. */
export function makeProblem(
  rng: Rng,
  dataset: Dataset,
  n: number,
  settings: ExperimentSettings & { mnistDim: number; seed: number },
): Problem {
  if (dataset === "mnist") {
    const { train, test } = mnistSphere(rng.fork("projection"), {
      train: n,
      test: settings.testPoints,
      dim: settings.mnistDim,
      seed: settings.seed,
    });
    const labels = noisy(rng.fork("noise"), train.clean, settings.sigma0);
    return { train: train.points, labels, test: test.points, clean: test.clean };
  }
  const target = kernelTarget(rng.fork("target"), settings.dim, settings.sections);
  const train = spherePoints(rng.fork("train"), n, settings.dim, dataset);
  const test = spherePoints(rng.fork("test"), settings.testPoints, settings.dim, dataset);
  const labels = noisy(rng.fork("noise"), evaluateTarget(target, train), settings.sigma0);
  return { train, labels, test, clean: evaluateTarget(target, test) };
}

/** The NTK quantities of a problem: eigen-fit, cross Gram, eps_n and T_hat. */
export interface KernelAnalysis {
  fit: KernelFit;
  cross: Float64Array;
  eps: number;
  stop: number;
}

export function analyse(problem: Problem, settings: ExperimentSettings): KernelAnalysis {
  const fit = fitKernel(gram(problem.train, problem.train), problem.labels);
  return {
    fit,
    cross: gram(problem.test, problem.train),
    eps: criticalRate(fit.values, settings.sigma0),
    stop: stoppingStep(fit.values, settings.eta, settings.sigma0),
  };
}

/** Test error (mean squared distance to the clean target) of kernel GD after `steps`. */
export function kernelGdError(
  problem: Problem,
  kernel: KernelAnalysis,
  eta: number,
  steps: number,
): number {
  return meanSquared(predict(kernel.cross, gdCoefficients(kernel.fit, eta, steps)), problem.clean);
}

/** Steps 1..20, then a geometric grid with ratio `ratio` up to `last`. */
export function stepGrid(last: number, ratio = 1.05): number[] {
  const out: number[] = [];
  for (let t = 1; t <= last; t = Math.max(t + 1, Math.round(t * ratio))) out.push(t);
  if (out[out.length - 1] !== last) out.push(last);
  return out;
}

export interface RateRecord {
  dataset: Dataset;
  n: number;
  repeat: number;
  eps2: number;
  predictedStep: number;
  network: number;
  ntkGd: number;
  krr: number;
}

/**
 * Test errors at one (data set, n, repeat): network and NTK GD at T_hat, KRR
 * at ridge eps_n^2. Needs only the eigenvalues of K/n (eps_n, T_hat); kernel
 * GD runs its T_hat iterations and KRR is a Cholesky solve, which at n = 3200
 * is about three times faster than a full eigendecomposition.
 */
export function rateExperiment(
  rng: Rng,
  dataset: Dataset,
  n: number,
  repeat: number,
  settings: ExperimentSettings & { mnistDim: number; seed: number },
): RateRecord {
  const problem = makeProblem(rng, dataset, n, settings);
  const k = gram(problem.train, problem.train);
  const cross = gram(problem.test, problem.train);
  const values = kernelEigenvalues(k, n);
  const eps = criticalRate(values, settings.sigma0);
  const stop = stoppingStep(values, settings.eta, settings.sigma0);
  const net = symmetricInit(rng.fork("init"), settings.width, problem.train.dim, settings.kappa);
  const work = gdWorkspace(net, n);
  for (let t = 0; t < stop; t++) gdStep(net, problem.train, problem.labels, settings.eta, work);
  const kernelGd = gdCoefficientsIterative(k, problem.labels, settings.eta, stop);
  return {
    dataset,
    n,
    repeat,
    eps2: eps ** 2,
    predictedStep: stop,
    network: meanSquared(forward(net, problem.test), problem.clean),
    ntkGd: meanSquared(predict(cross, kernelGd), problem.clean),
    krr: meanSquared(predict(cross, ridgeSolve(k, problem.labels, eps ** 2)), problem.clean),
  };
}

/** Least-squares line through (log x, log y): y ~ exp(intercept) x^slope. */
export function logLogFit(xs: number[], ys: number[]): { slope: number; intercept: number } {
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < lx.length; i++) {
    sxy += (lx[i] - mx) * (ly[i] - my);
    sxx += (lx[i] - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : Number.NaN;
  return { slope, intercept: my - slope * mx };
}

export interface StoppingResult {
  predictedStep: number;
  bestStep: number;
  errorAtPredicted: number;
  errorAtBest: number;
  kernelBestStep: number;
  kernelErrorAtPredicted: number;
  kernelErrorAtBest: number;
}

/**
 * Test error against GD steps at one n: the network up to `horizon` x T_hat
 * steps (error on a step grid), kernel GD far past the U's bottom. Emits one
 * metric record per evaluated step.
 */
export function stoppingExperiment(
  rng: Rng,
  n: number,
  horizon: number,
  settings: ExperimentSettings & { mnistDim: number; seed: number },
  metric: (record: MetricRecord) => void,
  progress: ProgressFn,
): StoppingResult {
  const problem = makeProblem(rng, "uniform", n, settings);
  const kernel = analyse(problem, settings);
  const last = Math.max(20, Math.ceil(horizon * kernel.stop));
  const grid = new Set(stepGrid(last));
  grid.add(kernel.stop);

  const net = symmetricInit(rng.fork("init"), settings.width, problem.train.dim, settings.kappa);
  const work = gdWorkspace(net, n);
  let best = { step: 0, error: meanSquared(new Float64Array(problem.clean.length), problem.clean) };
  let atPredicted = best.error;
  for (let t = 1; t <= last; t++) {
    const loss = gdStep(net, problem.train, problem.labels, settings.eta, work);
    if (!grid.has(t)) continue;
    const error = meanSquared(forward(net, problem.test), problem.clean);
    if (error < best.error) best = { step: t, error };
    if (t === kernel.stop) atPredicted = error;
    metric({ kind: "steps", model: "network", n, step: t, testError: error, trainLoss: loss });
    progress({ stage: "steps", done: t, total: last });
  }

  let kernelBest = { step: 0, error: Number.POSITIVE_INFINITY };
  for (const t of stepGrid(Math.max(1000, 1000 * kernel.stop), 1.08)) {
    const error = kernelGdError(problem, kernel, settings.eta, t);
    if (error < kernelBest.error) kernelBest = { step: t, error };
    metric({ kind: "steps", model: "ntk-gd", n, step: t, testError: error });
  }
  return {
    predictedStep: kernel.stop,
    bestStep: best.step,
    errorAtPredicted: atPredicted,
    errorAtBest: best.error,
    kernelBestStep: kernelBest.step,
    kernelErrorAtPredicted: kernelGdError(problem, kernel, settings.eta, kernel.stop),
    kernelErrorAtBest: kernelBest.error,
  };
}

export interface WidthRow {
  width: number;
  /** sup |K_m - K| over the training pairs at initialisation. */
  kernelDistance: number;
  /** RMS over test points of network minus NTK GD, both at T_hat. */
  predictorDistance: number;
  networkError: number;
  ntkGdError: number;
}

/** Network against NTK as the width grows, on one problem. */
export function widthExperiment(
  rng: Rng,
  n: number,
  widths: number[],
  settings: ExperimentSettings & { mnistDim: number; seed: number },
  progress: ProgressFn,
): WidthRow[] {
  const problem = makeProblem(rng, "uniform", n, settings);
  const kernel = analyse(problem, settings);
  const closed = gram(problem.train, problem.train);
  const kernelPrediction = predict(
    kernel.cross,
    gdCoefficients(kernel.fit, settings.eta, kernel.stop),
  );
  return widths.map((width, i) => {
    progress({ stage: "widths", done: i, total: widths.length, message: `m=${width}` });
    const net = symmetricInit(rng.fork(`init-${width}`), width, problem.train.dim, settings.kappa);
    const empirical = empiricalGram(problem.train, problem.train, net.weights, width);
    const work = gdWorkspace(net, n);
    for (let t = 0; t < kernel.stop; t++)
      gdStep(net, problem.train, problem.labels, settings.eta, work);
    const networkPrediction = forward(net, problem.test);
    return {
      width,
      kernelDistance: supDistance(empirical, closed),
      predictorDistance: Math.sqrt(meanSquared(networkPrediction, kernelPrediction)),
      networkError: meanSquared(networkPrediction, problem.clean),
      ntkGdError: meanSquared(kernelPrediction, problem.clean),
    };
  });
}

/** A rate job as plain data, for the core executor (worker threads or in-process). */
export interface RateJob {
  seed: number;
  label: string;
  dataset: Dataset;
  n: number;
  repeat: number;
  settings: ExperimentSettings & { mnistDim: number; seed: number };
}

/** Runs one rate job; its generator is Rng(seed).fork(label), as ctx.rng.fork(label) would give. */
export function rateJob(job: RateJob): RateRecord {
  return rateExperiment(
    new Rng(job.seed).fork(job.label),
    job.dataset,
    job.n,
    job.repeat,
    job.settings,
  );
}
