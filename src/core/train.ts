// A training loop: full-batch or mini-batch steps of a gradient
// transformation, evaluation every k steps, early stopping on a validation
// metric, a metrics sink and a progress callback. The loop never prints.
import type { JsTree } from "@jax-js/jax";
import { type Array, jit, tree, valueAndGrad } from "./engine.js";
import { applyUpdates, disposeState, type GradientTransformation } from "./optim/index.js";
import type { Rng } from "./rng.js";
import type { MetricRecord, ProgressFn } from "./study.js";

type Params = JsTree<Array>;

export interface EarlyStopping {
  /** Name of the metric returned by `evaluate`. */
  metric: string;
  mode: "min" | "max";
  /** Evaluations without improvement before stopping. */
  patience: number;
  minDelta?: number;
  /** Return the parameters of the best evaluation instead of the last. */
  restoreBest?: boolean;
}

export interface TrainOptions<B> {
  /** Initial parameters (consumed). */
  params: Params;
  /** Scalar loss of params on a batch; must follow the ownership rules. */
  loss: (params: Params, batch: B) => Array;
  optimizer: GradientTransformation;
  /** The batch for a step (the same one every step for full-batch GD); consumed by the step. */
  batch: (step: number) => B;
  steps: number;
  /** Compile the value-and-gradient with jit (float32 work; see curvature.ts on float64). */
  compile?: boolean;
  evalEvery?: number;
  /** Metrics on held-out data; params are only read. */
  evaluate?: (params: Params, step: number) => Record<string, number>;
  earlyStopping?: EarlyStopping;
  /** Receives one record per step: step, loss, and evaluation metrics when computed. */
  onMetric?: (record: MetricRecord) => void;
  progress?: ProgressFn;
  /** Stops the run when the loss becomes non-finite (reported as diverged). */
  stopOnDivergence?: boolean;
}

export interface TrainResult {
  params: Params;
  steps: number;
  losses: number[];
  diverged: boolean;
  stoppedEarly: boolean;
  bestStep: number | null;
  bestValue: number | null;
}

/** Runs the loop and returns the final (or best) parameters and the loss history. */
export function train<B>(options: TrainOptions<B>): TrainResult {
  type Step = (params: Params, batch: B) => [Array, Params];
  const lossAndGrad = valueAndGrad(options.loss as never) as unknown as Step;
  const step: Step = options.compile ? (jit(lossAndGrad as never) as unknown as Step) : lossAndGrad;
  let params = options.params;
  let state = options.optimizer.init(params);
  const losses: number[] = [];
  const stopping = options.earlyStopping;
  let best: { value: number; step: number; params: Params | null } | null = null;
  let sinceBest = 0;
  let diverged = false;
  let stoppedEarly = false;
  let done = 0;
  for (let t = 0; t < options.steps; t++) {
    const [value, grads] = step(tree.ref(params), options.batch(t));
    const lossValue = Number(value.dataSync()[0]);
    losses.push(lossValue);
    const record: MetricRecord = { step: t, loss: lossValue };
    if (!Number.isFinite(lossValue) && options.stopOnDivergence !== false) {
      // keep the last finite parameters rather than applying a non-finite update
      tree.dispose(grads);
      diverged = true;
      options.onMetric?.(record);
      break;
    }
    const [updates, next] = options.optimizer.update(grads, state, params);
    state = next;
    params = applyUpdates(params, updates);
    done = t + 1;
    const evalEvery = options.evalEvery ?? 0;
    if (
      options.evaluate &&
      evalEvery > 0 &&
      ((t + 1) % evalEvery === 0 || t + 1 === options.steps)
    ) {
      const metrics = options.evaluate(params, t + 1);
      Object.assign(record, metrics);
      if (stopping) {
        const value = metrics[stopping.metric];
        if (value === undefined)
          throw new Error(`early stopping: evaluate() returned no '${stopping.metric}'`);
        const delta = stopping.minDelta ?? 0;
        const improved =
          best === null ||
          (stopping.mode === "min" ? value < best.value - delta : value > best.value + delta);
        if (improved) {
          if (best?.params) tree.dispose(best.params);
          best = { value, step: t + 1, params: stopping.restoreBest ? tree.ref(params) : null };
          sinceBest = 0;
        } else if (++sinceBest >= stopping.patience) {
          stoppedEarly = true;
        }
      }
    }
    options.onMetric?.(record);
    options.progress?.({
      stage: "train",
      done: t + 1,
      total: options.steps,
      message: `loss ${lossValue.toPrecision(4)}`,
    });
    if (stoppedEarly) break;
  }
  disposeState(state);
  if (best?.params) {
    tree.dispose(params);
    params = best.params;
  }
  return {
    params,
    steps: done,
    losses,
    diverged,
    stoppedEarly,
    bestStep: best?.step ?? null,
    bestValue: best?.value ?? null,
  };
}

/** Shuffled mini-batch index lists for one epoch (the last partial batch kept). */
export function epochBatches(count: number, batchSize: number, rng: Rng): Int32Array[] {
  const order = rng.permutation(count);
  const batches: Int32Array[] = [];
  for (let start = 0; start < count; start += batchSize) {
    batches.push(order.subarray(start, Math.min(count, start + batchSize)));
  }
  return batches;
}
