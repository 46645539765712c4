// Byte encoding of texts, mini-batch training of the byte transformer on a
// flat parameter vector with the core optimisers, and per-token scoring.
import { type Array, jit, np, toFloat64, toNumber, valueAndGrad } from "../../core/engine.js";
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
  BOS,
  type Layout,
  meanNll,
  tokenLogProbs,
  unflatten,
  vector,
} from "./model.js";

/** Texts as next-byte prediction rows of `seqLen` tokens. */
export interface Encoded {
  count: number;
  seqLen: number;
  inputs: Int32Array;
  targets: Int32Array;
  mask: Float32Array;
  texts: string[];
}

/** Encodes each text (cut to seqLen bytes) as [BOS, b0, ...] -> [b0, b1, ...] with a mask. */
export function encode(texts: string[], seqLen: number): Encoded {
  const n = texts.length;
  const inputs = new Int32Array(n * seqLen);
  const targets = new Int32Array(n * seqLen);
  const mask = new Float32Array(n * seqLen);
  texts.forEach((text, row) => {
    const bytes = Buffer.from(text.slice(0, seqLen), "latin1");
    const base = row * seqLen;
    inputs[base] = BOS;
    for (let i = 0; i < bytes.length; i++) {
      targets[base + i] = bytes[i];
      mask[base + i] = 1;
      if (i + 1 < seqLen) inputs[base + i + 1] = bytes[i];
    }
  });
  return { count: n, seqLen, inputs, targets, mask, texts: texts.map((t) => t.slice(0, seqLen)) };
}

/** The rows of an encoded set as engine arrays (copies). */
export function batchOf(set: Encoded, rows: ArrayLike<number>): Batch {
  const t = set.seqLen;
  const inputs = new Int32Array(rows.length * t);
  const targets = new Int32Array(rows.length * t);
  const mask = new Float32Array(rows.length * t);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    inputs.set(set.inputs.subarray(r * t, (r + 1) * t), i * t);
    targets.set(set.targets.subarray(r * t, (r + 1) * t), i * t);
    mask.set(set.mask.subarray(r * t, (r + 1) * t), i * t);
  }
  const shape = [rows.length, t];
  return {
    inputs: np.array(inputs, { dtype: np.int32 }).reshape(shape),
    targets: np.array(targets, { dtype: np.int32 }).reshape(shape),
    mask: np.array(mask).reshape(shape),
  };
}

/** Seeded random rows (with replacement). */
export function sampleRows(count: number, size: number, rng: Rng): Int32Array {
  const rows = new Int32Array(size);
  for (let i = 0; i < size; i++) rows[i] = rng.int(count);
  return rows;
}

/** A compiled next-byte loss-and-gradient step: (theta, batch) -> [loss, grad]. */
export type TrainStep = ((theta: Array, batch: Batch) => [Array, Array]) & { dispose(): void };

/** Compiles the training step once for a layout (reused by every model of that shape). */
export function makeTrainStep(layout: Layout): TrainStep {
  const heads = layout.shape.heads;
  return jit((theta: Array, batch: Batch) =>
    valueAndGrad((t: Array) => meanNll(unflatten(t, layout), batch, heads))(theta),
  ) as unknown as TrainStep;
}

export interface TrainOptions {
  step: TrainStep;
  theta: Float32Array;
  data: Encoded;
  steps: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  rng: Rng;
  /** Called every `every` steps with the mean training loss since the last call. */
  onLog?: (step: number, loss: number) => void;
  every?: number;
}

/** Next-byte training with AdamW and global-norm clipping; returns the trained vector. */
export function trainModel(options: TrainOptions): Float32Array {
  const { step, data, batchSize, rng } = options;
  const optimiser = chain(
    clipByGlobalNorm(1),
    adamw({ learningRate: options.learningRate, weightDecay: options.weightDecay }),
  );
  let theta: Array = vector(options.theta);
  let state = optimiser.init(theta);
  let sum = 0;
  let since = 0;
  const every = options.every ?? 50;
  for (let s = 1; s <= options.steps; s++) {
    const [loss, grads] = step(theta.ref, batchOf(data, sampleRows(data.count, batchSize, rng)));
    const [updates, next] = optimiser.update(grads, state, theta);
    state = next;
    theta = applyUpdates(theta, updates) as Array;
    sum += toNumber(loss);
    since++;
    if (s % every === 0 || s === options.steps) {
      options.onLog?.(s, sum / since);
      sum = 0;
      since = 0;
    }
  }
  disposeState(state);
  return theta.dataSync() as Float32Array;
}

/** Per-token log-probabilities of every row, in chunks of a fixed shape. */
export interface Scorer {
  /** Row-major [count, seqLen] log-probabilities of the targets (0 where masked). */
  tokenLogProbs(theta: Float32Array, data: Encoded): Float64Array;
  dispose(): void;
}

/** A scorer whose forward pass is compiled once for `chunk` rows. */
export function makeScorer(layout: Layout, chunk = 64): Scorer {
  const heads = layout.shape.heads;
  const forward = jit((theta: Array, batch: Batch) =>
    tokenLogProbs(unflatten(theta, layout), batch.inputs, batch.targets, heads).mul(batch.mask),
  );
  return {
    tokenLogProbs(thetaValues, data) {
      const t = data.seqLen;
      const out = new Float64Array(data.count * t);
      const theta = vector(thetaValues);
      for (let start = 0; start < data.count; start += chunk) {
        const rows = new Int32Array(chunk);
        // the last chunk repeats row 0 to keep one compiled shape
        for (let i = 0; i < chunk; i++) rows[i] = start + i < data.count ? start + i : 0;
        const values = toFloat64(forward(theta.ref, batchOf(data, rows)));
        const used = Math.min(chunk, data.count - start);
        out.set(values.subarray(0, used * t), start * t);
      }
      theta.dispose();
      return out;
    },
    dispose: () => forward.dispose(),
  };
}

/** The masked log-probabilities of one row. */
export function rowLogProbs(all: Float64Array, data: Encoded, row: number): Float64Array {
  const t = data.seqLen;
  const values: number[] = [];
  for (let i = 0; i < t; i++) if (data.mask[row * t + i] > 0) values.push(all[row * t + i]);
  return Float64Array.from(values);
}

/** Mean negative log-likelihood per token over a whole set. */
export function setNll(all: Float64Array, data: Encoded): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    if (data.mask[i] > 0) {
      sum -= all[i];
      count++;
    }
  }
  return sum / count;
}
