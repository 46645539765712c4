// Unlearning methods, each a loss on the flat parameter vector minimised with
// AdamW for a fixed budget of steps, following the methods compared by Wei et
// al. (ICML 2025, Sec. 5): gradient ascent, gradient difference, random labels,
// EUk and CFk (Goel et al. 2022), single-phase SCRUB (Kurmanji et al. 2023),
// and NPO (Zhang et al., "Negative Preference Optimization", 2024).
import { type Array, jit, lax, nn, np, toNumber, valueAndGrad } from "../../core/engine.js";
import {
  adamw,
  applyUpdates,
  chain,
  clipByGlobalNorm,
  disposeState,
} from "../../core/optim/index.js";
import type { Rng } from "../../core/rng.js";
import {
  type Batch,
  blockRange,
  initFlat,
  type Layout,
  logProbs,
  meanNll,
  tokenLogProbs,
  unflatten,
  vector,
} from "./model.js";
import { batchOf, type Encoded, sampleRows } from "./train.js";

export type Method = "ga" | "gd" | "rl" | "euk" | "cfk" | "scrub" | "npo";
export const METHODS: Method[] = ["ga", "gd", "rl", "euk", "cfk", "scrub", "npo"];

export const METHOD_NAMES: Record<Method, string> = {
  ga: "gradient ascent",
  gd: "gradient difference",
  rl: "random labels",
  euk: "EUk",
  cfk: "CFk",
  scrub: "SCRUB (one phase)",
  npo: "NPO",
};

/** Methods that push the forget loss up stop once it reaches the target; EUk and CFk never look at it. */
export function stopsOnForgetLoss(method: Method): boolean {
  return method !== "euk" && method !== "cfk";
}

/** Everything an unlearning loss reads besides the parameters being trained. */
export interface UnlearnInputs {
  /** The original (pre-unlearning) parameters: SCRUB's teacher, NPO's reference. */
  original: Array;
  /** The forget set with its true next bytes. */
  forget: Batch;
  /** The forget inputs with random next bytes (random labels). */
  noisy: Batch;
  /** A batch of retain data. */
  retain: Batch;
}

export interface LossSettings {
  heads: number;
  /** NPO's inverse temperature. */
  npoBeta: number;
}

function disposeBatch(b: Batch): void {
  b.inputs.dispose();
  b.targets.dispose();
  b.mask.dispose();
}

function refBatch(b: Batch): Batch {
  return { inputs: b.inputs.ref, targets: b.targets.ref, mask: b.mask.ref };
}

/** Mean over masked tokens of KL(teacher || student) of the next-byte distributions. */
export function klToTeacher(
  student: Array,
  teacher: Array,
  layout: Layout,
  batch: Batch,
  heads: number,
): Array {
  const lpStudent = logProbs(unflatten(student, layout), batch.inputs.ref, heads);
  const lpTeacher = lax.stopGradient(logProbs(unflatten(teacher, layout), batch.inputs, heads));
  const perToken = np.exp(lpTeacher.ref).mul(lpTeacher.sub(lpStudent)).sum(-1);
  const count = batch.mask.ref.sum();
  batch.targets.dispose();
  return perToken.mul(batch.mask).sum().div(count);
}

/** Summed log-likelihood of each sequence, [B]. */
function sequenceLogLik(theta: Array, layout: Layout, batch: Batch, heads: number): Array {
  const lp = tokenLogProbs(unflatten(theta, layout), batch.inputs, batch.targets, heads);
  return lp.mul(batch.mask).sum(-1);
}

/**
 * The loss a method minimises. Consumes `theta` and the inputs.
 * - ga: -NLL(forget)
 * - gd: 0.999 NLL(retain) - 0.001 NLL(forget)
 * - rl: NLL(forget inputs -> random bytes)
 * - euk, cfk: NLL(retain) (which parameters move is decided by the update mask)
 * - scrub: 0.5 KL_retain(original || theta) + NLL(retain) - 0.01 KL_forget(original || theta)
 * - npo: (2 / beta) mean_i log(1 + (p_theta(x_i) / p_original(x_i))^beta)
 */
export function unlearningLoss(
  method: Method,
  theta: Array,
  inputs: UnlearnInputs,
  layout: Layout,
  settings: LossSettings,
): Array {
  const { heads } = settings;
  const { original, forget, noisy, retain } = inputs;
  const nll = (t: Array, b: Batch) => meanNll(unflatten(t, layout), refBatch(b), heads);
  let loss: Array;
  if (method === "ga") loss = nll(theta.ref, forget).neg();
  else if (method === "gd") {
    loss = nll(theta.ref, retain).mul(0.999).sub(nll(theta.ref, forget).mul(0.001));
  } else if (method === "rl") loss = nll(theta.ref, noisy);
  else if (method === "euk" || method === "cfk") loss = nll(theta.ref, retain);
  else if (method === "scrub") {
    const klRetain = klToTeacher(theta.ref, original.ref, layout, refBatch(retain), heads);
    const klForget = klToTeacher(theta.ref, original.ref, layout, refBatch(forget), heads);
    loss = klRetain.mul(0.5).add(nll(theta.ref, retain)).sub(klForget.mul(0.01));
  } else {
    const beta = settings.npoBeta;
    const own = sequenceLogLik(theta.ref, layout, refBatch(forget), heads);
    const ref = lax.stopGradient(sequenceLogLik(original.ref, layout, refBatch(forget), heads));
    loss = nn
      .softplus(own.sub(ref).mul(beta))
      .mean()
      .mul(2 / beta);
  }
  theta.dispose();
  original.dispose();
  for (const b of [forget, noisy, retain]) disposeBatch(b);
  return loss;
}

export interface UnlearnSettings extends LossSettings {
  layout: Layout;
  steps: number;
  batchSize: number;
  learningRate: number;
  /** Blocks EUk and CFk train (the last k). */
  k: number;
  /**
   * Ascent-type methods stop once the forget set's mean NLL has risen by this
   * much from its start (the audit passes the original model's generalisation
   * gap, test NLL minus retain NLL), after at least one step.
   */
  stopRise: number;
}

export interface UnlearnResult {
  theta: Float32Array;
  steps: number;
  /** Whether the stop rule ended the run before the budget. */
  stopped: boolean;
  forgetNllStart: number;
  forgetNllEnd: number;
}

/** Compiled steps, one per method, reused across canary sets and seeds. */
export class Unlearner {
  private steps = new Map<Method, ReturnType<typeof jit>>();

  constructor(readonly settings: UnlearnSettings) {}

  private step(method: Method) {
    let fn = this.steps.get(method);
    if (!fn) {
      const { layout } = this.settings;
      fn = jit((theta: Array, inputs: UnlearnInputs) => {
        const forgetNll = meanNll(
          unflatten(lax.stopGradient(theta.ref), layout),
          refBatch(inputs.forget),
          this.settings.heads,
        );
        const [loss, grads] = valueAndGrad((t: Array) =>
          unlearningLoss(method, t, inputs, layout, this.settings),
        )(theta);
        return [loss, grads, forgetNll];
      });
      this.steps.set(method, fn);
    }
    return fn as unknown as (theta: Array, inputs: UnlearnInputs) => [Array, Array, Array];
  }

  /** Runs one method from the original parameters on one forget set. */
  run(method: Method, original: Float32Array, forget: Encoded, retain: Encoded, rng: Rng) {
    const s = this.settings;
    const { layout } = s;
    let start = original;
    const [lo, hi] = blockRange(layout, Math.max(0, layout.shape.layers - s.k));
    if (method === "euk") {
      // re-initialise the last k blocks
      start = Float32Array.from(original);
      start.set(initFlat(layout.shape, rng.fork("reinit")).theta.subarray(lo, hi), lo);
    }
    let updateMask: Array | null = null;
    if (method === "euk" || method === "cfk") {
      const m = new Float32Array(layout.size);
      m.fill(1, lo, hi);
      updateMask = np.array(m);
    }
    const optimiser = chain(
      clipByGlobalNorm(1),
      adamw({ learningRate: s.learningRate, weightDecay: 0 }),
    );
    const step = this.step(method);
    const originalArray = vector(original);
    const forgetAll = Int32Array.from({ length: forget.count }, (_, i) => i);
    let theta: Array = vector(start);
    let state = optimiser.init(theta);
    let forgetNllStart = Number.NaN;
    let forgetNllEnd = Number.NaN;
    let stopped = false;
    let taken = 0;
    for (let i = 0; i <= s.steps; i++) {
      const noisy = batchOf(forget, forgetAll);
      noisy.targets.dispose();
      noisy.targets = vector(randomBytes(forget.count * forget.seqLen, rng), np.int32).reshape([
        forget.count,
        forget.seqLen,
      ]);
      const inputs: UnlearnInputs = {
        original: originalArray.ref,
        forget: batchOf(forget, forgetAll),
        noisy,
        retain: batchOf(retain, sampleRows(retain.count, s.batchSize, rng)),
      };
      const [loss, grads, forgetNllArray] = step(theta.ref, inputs);
      loss.dispose();
      const forgetNll = toNumber(forgetNllArray);
      if (i === 0) forgetNllStart = forgetNll;
      forgetNllEnd = forgetNll;
      const risen = i > 0 && forgetNll - forgetNllStart >= s.stopRise;
      if (i === s.steps || (stopsOnForgetLoss(method) && risen)) {
        stopped = i < s.steps;
        grads.dispose();
        break;
      }
      const [updates, next] = optimiser.update(grads, state, theta);
      state = next;
      const masked = updateMask ? (updates as Array).mul(updateMask.ref) : updates;
      theta = applyUpdates(theta, masked) as Array;
      taken++;
    }
    disposeState(state);
    updateMask?.dispose();
    originalArray.dispose();
    const result: UnlearnResult = {
      theta: theta.dataSync() as Float32Array,
      steps: taken,
      stopped,
      forgetNllStart,
      forgetNllEnd,
    };
    return result;
  }

  dispose(): void {
    for (const fn of this.steps.values()) (fn as unknown as { dispose(): void }).dispose();
    this.steps.clear();
  }
}

/** Random printable bytes (space to tilde, and newline) for the random-label targets. */
function randomBytes(n: number, rng: Rng): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(96);
    out[i] = c === 95 ? 10 : 32 + c;
  }
  return out;
}
