// The OUA experiments: OUA against exact-gradient GD (at the matched learning
// rate) and weight perturbation, at equal forward evaluations and at equal
// wall time; sensitivity of G(300) to each hyperparameter; meta-learned sigma.
import type { Rng } from "../../core/rng.js";
import type { MetricRecord } from "../../core/study.js";
import {
  type LearnResult,
  matchedLearningRate,
  type OuaSettings,
  runGradient,
  runMetaSigma,
  runOua,
  runPerturbation,
} from "./oua.js";
import { singleTask, type Task } from "./tasks.js";

export type Method = "oua" | "gd" | "perturbation";
export type Budget = "evaluations" | "wall-time";

export interface RunRow {
  task: string;
  method: Method;
  budget: Budget;
  /** Median over seeds of the task loss of the learned parameters. */
  finalLoss: number | null;
  /** Mean over seeds of the forward evaluations used. */
  evaluations: number;
  seeds: number;
  /** Runs whose parameters left the finite numbers or the stable region. */
  diverged: number;
}

function median(values: number[]): number | null {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return null;
  const mid = finite.length >> 1;
  return finite.length % 2 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2;
}

interface MethodRun {
  method: Method;
  result: LearnResult;
  ms: number;
}

function runMethods(
  task: Task,
  settings: OuaSettings,
  rng: Rng,
  evaluations: number,
  window: number,
  recordEvery: number,
  wallMs?: number,
): MethodRun[] {
  const lr = matchedLearningRate(settings);
  const amplitude = settings.sigma / Math.sqrt(2 * settings.lambda);
  const options = { evaluations, recordEvery, wallMs };
  const timed = (method: Method, go: () => LearnResult): MethodRun => {
    const start = performance.now();
    const result = go();
    return { method, result, ms: performance.now() - start };
  };
  return [
    timed("oua", () =>
      runOua(task.environment(rng.fork("env")), task.initial, settings, rng.fork("oua"), options),
    ),
    timed("gd", () =>
      runGradient(task.environment(rng.fork("env")), task.initial, lr, settings.dt, options),
    ),
    timed("perturbation", () =>
      runPerturbation(
        task.environment(rng.fork("env")),
        task.initial,
        lr,
        amplitude,
        settings.dt,
        window,
        rng.fork("perturbation"),
        options,
      ),
    ),
  ];
}

/**
 * All three methods on one task over `seeds` seeds, at equal evaluations
 * (horizon / dt each) and then at equal wall time (each method gets OUA's
 * mean time, up to 20x the evaluations). Emits learning curves as metrics.
 */
export function compareOnTask(
  task: Task,
  rng: Rng,
  options: { dt: number; seeds: number; window: number; curvePoints: number; wallTime: boolean },
  metric: (record: MetricRecord) => void,
): RunRow[] {
  const settings = { ...task.settings, dt: options.dt };
  const evaluations = Math.round(task.horizon / options.dt);
  const recordEvery = Math.max(2, Math.floor(evaluations / options.curvePoints / 2) * 2);
  const perSeed = Array.from({ length: options.seeds }, (_, seed) =>
    runMethods(task, settings, rng.fork(`seed-${seed}`), evaluations, options.window, recordEvery),
  );
  const rows: RunRow[] = [];
  const methods: Method[] = ["oua", "gd", "perturbation"];
  for (const method of methods) {
    const runs = perSeed.map((all) => all.find((r) => r.method === method)!);
    rows.push(summarise(task, method, "evaluations", runs));
    const curveLength = Math.min(...runs.map((r) => r.result.curve.length));
    for (let i = 0; i < curveLength; i++) {
      const losses = runs.map((r) => task.loss(r.result.curve[i].params));
      metric({
        kind: "curve",
        task: task.name,
        method,
        evaluations: runs[0].result.curve[i].evaluations,
        loss: median(losses),
      });
    }
  }
  if (options.wallTime) {
    const ouaMs = perSeed.reduce((s, all) => s + all[0].ms, 0) / options.seeds;
    const timedRuns = Array.from({ length: options.seeds }, (_, seed) =>
      runMethods(
        task,
        settings,
        rng.fork(`seed-${seed}`),
        20 * evaluations,
        options.window,
        0,
        ouaMs,
      ),
    );
    for (const method of methods) {
      rows.push(
        summarise(
          task,
          method,
          "wall-time",
          timedRuns.map((all) => all.find((r) => r.method === method)!),
        ),
      );
    }
  }
  return rows;
}

function summarise(task: Task, method: Method, budget: Budget, runs: MethodRun[]): RunRow {
  const losses = runs.map((r) => task.loss(r.result.params));
  return {
    task: task.name,
    method,
    budget,
    finalLoss: median(losses),
    evaluations: Math.round(runs.reduce((s, r) => s + r.result.evaluations, 0) / runs.length),
    seeds: runs.length,
    diverged: losses.filter((l) => !Number.isFinite(l)).length,
  };
}

export type Hyperparameter = "lambda" | "sigma" | "rho" | "eta";

export interface SweepPoint {
  parameter: Hyperparameter;
  value: number;
  /** Mean cumulative reward G(horizon) over seeds (OUA). */
  reward: number;
  /** Median final loss of OUA and of weight perturbation (amplitude sigma / sqrt(2 lambda)). */
  ouaLoss: number | null;
  perturbationLoss: number | null;
}

/**
 * Sensitivity on the single-parameter task: each hyperparameter over
 * `points` values in [0, 2], the others at rho = lambda = eta = 1, sigma = 0.5.
 */
export function sensitivity(
  rng: Rng,
  options: { dt: number; seeds: number; points: number; horizon: number },
): SweepPoint[] {
  const task = singleTask();
  const base: OuaSettings = { rho: 1, lambda: 1, eta: 1, sigma: 0.5, dt: options.dt };
  const evaluations = Math.round(options.horizon / options.dt);
  const out: SweepPoint[] = [];
  for (const parameter of ["lambda", "sigma", "rho", "eta"] as Hyperparameter[]) {
    for (let i = 0; i < options.points; i++) {
      const value = (2 * i) / (options.points - 1);
      const settings = { ...base, [parameter]: value };
      let reward = 0;
      const ouaLosses: number[] = [];
      const perturbationLosses: number[] = [];
      for (let seed = 0; seed < options.seeds; seed++) {
        const seeded = rng.fork(`${parameter}-${i}-${seed}`);
        const oua = runOua(task.environment(seeded), task.initial, settings, seeded.fork("oua"), {
          evaluations,
        });
        reward += oua.cumulativeReward / options.seeds;
        ouaLosses.push(task.loss(oua.params));
        if (parameter === "sigma" && settings.lambda > 0) {
          const wp = runPerturbation(
            task.environment(seeded),
            task.initial,
            matchedLearningRate(settings),
            settings.sigma / Math.sqrt(2 * settings.lambda),
            options.dt,
            1,
            seeded.fork("perturbation"),
            { evaluations },
          );
          perturbationLosses.push(task.loss(wp.params));
        }
      }
      out.push({
        parameter,
        value,
        reward,
        ouaLoss: median(ouaLosses),
        perturbationLoss: parameter === "sigma" ? median(perturbationLosses) : null,
      });
    }
  }
  return out;
}

export interface MetaResult {
  flipEvery: number;
  horizon: number;
  /** Mean cumulative reward over seeds with sigma fixed and with sigma meta-learned. */
  fixedReward: number;
  metaReward: number;
  /** Mean of the learned sigma mean over seeds, sampled in time. */
  sigmaTrace: { time: number; sigma: number }[];
}

/** Meta-learning sigma when theta* flips sign every `flipEvery` time units. */
export function metaLearning(
  rng: Rng,
  options: {
    dt: number;
    seeds: number;
    horizon: number;
    flipEvery: number;
    meta?: { lambda: number; eta: number; sigma: number };
  },
): MetaResult {
  const task = singleTask(options.flipEvery);
  const settings: OuaSettings = { ...task.settings, dt: options.dt };
  const evaluations = Math.round(options.horizon / options.dt);
  const recordEvery = Math.max(1, Math.round(evaluations / 200));
  let fixedReward = 0;
  let metaReward = 0;
  let trace: { time: number; sigma: number }[] = [];
  for (let seed = 0; seed < options.seeds; seed++) {
    const seeded = rng.fork(`meta-${seed}`);
    const fixed = runOua(task.environment(seeded), task.initial, settings, seeded.fork("fixed"), {
      evaluations,
    });
    const meta = runMetaSigma(
      task.environment(seeded),
      task.initial,
      settings,
      options.meta ?? { lambda: 1, eta: 2, sigma: 0.1 },
      seeded.fork("meta"),
      { evaluations, recordEvery },
    );
    fixedReward += fixed.cumulativeReward / options.seeds;
    metaReward += meta.cumulativeReward / options.seeds;
    if (seed === 0) trace = meta.sigmaTrace.map((p) => ({ ...p, sigma: 0 }));
    meta.sigmaTrace.forEach((p, i) => {
      if (i < trace.length) trace[i].sigma += p.sigma / options.seeds;
    });
  }
  return {
    flipEvery: options.flipEvery,
    horizon: options.horizon,
    fixedReward,
    metaReward,
    sigmaTrace: trace,
  };
}
