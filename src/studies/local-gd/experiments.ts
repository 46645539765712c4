// The three experiments of the study, each a loop of federated rounds that
// records the distance (or angle) to the centralised solution.
import type { Executor, Task } from "../../core/executor.js";
import type { MetricRecord, ProgressFn } from "../../core/study.js";
import { type ClientData, type SoftmaxInput, softmaxLoss } from "./clients.js";
import {
  average,
  clientWeights,
  localGdRound,
  modifiedRound,
  type Weighting,
} from "./federated.js";
import { accuracy, type FinetuneData } from "./finetune.js";
import {
  angleDegrees,
  largestGramEigenvalue,
  type Matrix,
  relativeDistance,
  stackRows,
} from "./linalg.js";
import { gradientDescentLimit, maxMargin } from "./max-margin.js";

const CLIENTS = new URL("./clients.ts", import.meta.url).href;

export interface Sinks {
  executor: Executor;
  metric(record: MetricRecord): void;
  progress: ProgressFn;
}

/** Rounds at which curves are recorded: every round up to 20, then about 12 per decade. */
export function recordRound(round: number): boolean {
  if (round <= 20) return true;
  const step = 10 ** Math.floor(Math.log10(round)) / 4;
  return round % Math.max(1, Math.round(step)) === 0;
}

/** eta = stepFactor / max_i lambda_max(H_i), with H_i = X_i^T X_i / n_i the local Hessian of the square loss. */
export function stepSize(clients: ClientData[], stepFactor: number): number {
  const largest = Math.max(...clients.map((c) => largestGramEigenvalue(c.x, c.x.rows)));
  return stepFactor / largest;
}

function pooled(clients: ClientData[]): { x: Matrix; y: Float64Array } {
  return {
    x: stackRows(clients.map((c) => c.x)),
    y: Float64Array.from(clients.flatMap((c) => [...c.y])),
  };
}

export interface RegressionRow {
  problem: string;
  localSteps: number;
  rounds: number;
  relDistanceToCentralized: number;
}

/** Local-GD on the square loss from w0 = 0 until the relative distance to the GD limit is below `target`. */
export async function regressionExperiment(
  problem: string,
  clients: ClientData[],
  options: {
    localSteps: number[];
    maxRounds: number;
    target: number;
    stepFactor: number;
    weighting: Weighting;
  },
  sinks: Sinks,
): Promise<RegressionRow[]> {
  const { x, y } = pooled(clients);
  const w0 = new Float64Array(x.cols);
  const central = gradientDescentLimit(x, y, w0);
  const learningRate = stepSize(clients, options.stepFactor);
  const rows: RegressionRow[] = [];
  for (const localSteps of options.localSteps) {
    let w: Float64Array = w0;
    let distance = relativeDistance(w, central);
    let round = 0;
    let stalled = false;
    while (round < options.maxRounds && distance > options.target && !stalled) {
      round++;
      const next = await localGdRound(w, {
        ...options,
        clients,
        executor: sinks.executor,
        localSteps,
        learningRate,
        loss: "square",
      });
      // a fixed point that is not the centralised solution (the under-parameterised case)
      stalled = relativeDistance(next, w) <= 1e-3 * options.target;
      w = next;
      distance = relativeDistance(w, central);
      if (recordRound(round) || distance <= options.target || stalled) {
        sinks.metric({
          experiment: "regression",
          problem,
          localSteps,
          round,
          relDistance: distance,
        });
      }
      if (round % 50 === 0) {
        sinks.progress({
          stage: `regression ${problem} L=${localSteps}`,
          done: round,
          total: options.maxRounds,
        });
      }
    }
    rows.push({ problem, localSteps, rounds: round, relDistanceToCentralized: distance });
  }
  return rows;
}

export interface ClassificationRow {
  problem: string;
  method: "local-gd" | "modified-local-gd";
  localSteps: number | null;
  rounds: number;
  angleToMaxMarginDeg: number;
}

export interface MaxMarginCheck {
  problem: string;
  supportVectors: number;
  kktViolation: number;
  dualityGap: number;
  margin: number;
}

/** Plain Local-GD (logistic loss, each L) and our modified Local-GD against the max-margin direction. */
export async function classificationExperiment(
  problem: string,
  clients: ClientData[],
  options: {
    localSteps: number[];
    rounds: number;
    stepFactor: number;
    weighting: Weighting;
    lambda: number;
    lambdaDecay: number;
    lambdaFloor: number;
    newtonTolerance: number;
  },
  sinks: Sinks,
): Promise<{ rows: ClassificationRow[]; check: MaxMarginCheck }> {
  const { x, y } = pooled(clients);
  const svm = maxMargin(x, y);
  const check: MaxMarginCheck = {
    problem,
    supportVectors: svm.alpha.filter((a) => a > 0).length,
    kktViolation: svm.kktViolation,
    dualityGap: svm.dualityGap,
    margin: 1 / Math.sqrt(svm.w.reduce((s, v) => s + v * v, 0)),
  };
  // The logistic loss's Hessian is at most a quarter of the square loss's.
  const learningRate = 4 * stepSize(clients, options.stepFactor);
  const rows: ClassificationRow[] = [];
  const total = options.rounds * (options.localSteps.length + 1);
  let done = 0;

  for (const localSteps of options.localSteps) {
    let w: Float64Array = new Float64Array(x.cols);
    for (let round = 1; round <= options.rounds; round++) {
      w = await localGdRound(w, {
        ...options,
        clients,
        executor: sinks.executor,
        localSteps,
        learningRate,
        loss: "logistic",
      });
      if (recordRound(round) || round === options.rounds) {
        const angleDeg = angleDegrees(w, svm.w);
        sinks.metric({
          experiment: "classification",
          problem,
          method: "local-gd",
          localSteps,
          round,
          angleDeg,
        });
      }
      sinks.progress({ stage: `classification ${problem}`, done: ++done, total });
    }
    rows.push({
      problem,
      method: "local-gd",
      localSteps,
      rounds: options.rounds,
      angleToMaxMarginDeg: angleDegrees(w, svm.w),
    });
  }

  let w: Float64Array = new Float64Array(x.cols);
  let lambda = options.lambda;
  for (let round = 1; round <= options.rounds; round++) {
    const out = await modifiedRound(w, {
      clients,
      weighting: options.weighting,
      executor: sinks.executor,
      lambda,
      tolerance: options.newtonTolerance,
    });
    w = out.w;
    if (recordRound(round) || round === options.rounds) {
      sinks.metric({
        experiment: "classification",
        problem,
        method: "modified-local-gd",
        round,
        lambda,
        angleDeg: angleDegrees(w, svm.w),
        newtonIterations: out.newtonIterations,
      });
    }
    lambda = Math.max(options.lambdaFloor, lambda * options.lambdaDecay);
    sinks.progress({ stage: `classification ${problem}`, done: ++done, total });
  }
  rows.push({
    problem,
    method: "modified-local-gd",
    localSteps: null,
    rounds: options.rounds,
    angleToMaxMarginDeg: angleDegrees(w, svm.w),
  });
  return { rows, check };
}

export interface FinetuneRow {
  method: "centralised" | "local-gd";
  /** Local steps per round; the centralised row with the same value ran the same number of steps. */
  localSteps: number;
  rounds: number;
  /** Gradient steps each client (or the centralised model) took. */
  gradientSteps: number;
  testAccuracy: number;
  relDistanceToCentralized: number;
}

/**
 * Fine-tunes the head with Local-GD for each L over `rounds` rounds, and
 * centrally by GD on the weighted sum of the client losses (the pooled loss
 * for data-size weights), from the same start and with the same step size;
 * each Local-GD run is compared with the centralised model after the same
 * number of gradient steps (rounds x L). With L = 1 the two coincide.
 */
export async function finetuneExperiment(
  data: FinetuneData,
  options: {
    localSteps: number[];
    rounds: number;
    l2: number;
    stepFactor: number;
    weighting: Weighting;
  },
  sinks: Sinks,
): Promise<{ rows: FinetuneRow[]; pretrainedAccuracy: number }> {
  const { classes } = data.mlp;
  const init = data.mlp.head;
  // The softmax loss's Hessian is at most half that of the square loss (plus l2).
  const asLinear = data.clients.map((c) => ({ x: c.x, y: new Float64Array(c.x.rows) }));
  const learningRate = stepSize(asLinear, options.stepFactor) * 2;
  const sizes = data.clients.map((c) => c.x.rows);
  const weights = clientWeights(sizes, options.weighting);
  const testAccuracy = (w: Float64Array) => accuracy(data.test.x, data.test.labels, w, classes);

  const snapshots = new Map<number, Float64Array>();
  const wanted = new Set(options.localSteps.map((l) => l * options.rounds));
  const longest = Math.max(...wanted);
  const central = Float64Array.from(init);
  const grad = new Float64Array(init.length);
  for (let step = 1; step <= longest; step++) {
    grad.fill(0);
    data.clients.forEach((c, i) => {
      softmaxLoss(c.x, c.labels, classes, central, options.l2, { out: grad, scale: weights[i] });
    });
    for (let j = 0; j < central.length; j++) central[j] -= learningRate * grad[j];
    if (wanted.has(step)) snapshots.set(step, Float64Array.from(central));
    if (step % 100 === 0)
      sinks.progress({ stage: "fine-tune centralised", done: step, total: longest });
  }

  const rows: FinetuneRow[] = [];
  for (const localSteps of options.localSteps) {
    const steps = localSteps * options.rounds;
    const reference = snapshots.get(steps) as Float64Array;
    let w: Float64Array = Float64Array.from(init);
    for (let round = 1; round <= options.rounds; round++) {
      const tasks: Task<SoftmaxInput>[] = data.clients.map((c) => ({
        module: CLIENTS,
        fn: "softmaxLocalGd",
        input: { ...c, classes, w, localSteps, learningRate, l2: options.l2 },
      }));
      w = average(await sinks.executor.map<SoftmaxInput, Float64Array>(tasks), weights);
      if (recordRound(round) || round === options.rounds) {
        const centralNow = round === options.rounds ? reference : null;
        sinks.metric({
          experiment: "finetune",
          localSteps,
          round,
          testAccuracy: testAccuracy(w),
          ...(centralNow ? { relDistance: relativeDistance(w, centralNow) } : {}),
        });
      }
      sinks.progress({ stage: `fine-tune L=${localSteps}`, done: round, total: options.rounds });
    }
    rows.push({
      method: "centralised",
      localSteps,
      rounds: options.rounds,
      gradientSteps: steps,
      testAccuracy: testAccuracy(reference),
      relDistanceToCentralized: 0,
    });
    rows.push({
      method: "local-gd",
      localSteps,
      rounds: options.rounds,
      gradientSteps: steps,
      testAccuracy: testAccuracy(w),
      relDistanceToCentralized: relativeDistance(w, reference),
    });
  }
  return { rows, pretrainedAccuracy: testAccuracy(init) };
}
