// The fine-tuning experiment: a small MLP pre-trained (Adam, engine autodiff)
// on MNIST digits 0-4, then its last layer fine-tuned on all ten digits,
// either centrally or with Local-GD across label-skewed clients.
import { type ImageSet, loadMnist, oneHot, subset } from "../../core/data/mnist.js";
import { f32, type Array as JaxArray, nn, np, toFloat64, tree } from "../../core/engine.js";
import { adam } from "../../core/optim/index.js";
import type { Rng } from "../../core/rng.js";
import { epochBatches, train } from "../../core/train.js";
import type { SoftmaxInput } from "./clients.js";
import type { Matrix } from "./linalg.js";

export interface Mlp {
  inputs: number;
  hidden: number;
  classes: number;
  /** `inputs x hidden`, row-major. */
  w1: Float64Array;
  b1: Float64Array;
  /** The head as `classes x (hidden + 1)` rows (weights then bias), the layout of SoftmaxInput. */
  head: Float64Array;
}

interface Params {
  w1: JaxArray;
  b1: JaxArray;
  w2: JaxArray;
  b2: JaxArray;
}

function logits(p: Params, x: JaxArray): JaxArray {
  const h = nn.relu(np.matmul(x, p.w1).add(p.b1));
  return np.matmul(h, p.w2).add(p.b2);
}

/** Trains a one-hidden-layer ReLU MLP with Adam on mini-batches of `set` (float32). */
export function pretrainMlp(
  set: ImageSet,
  options: { hidden: number; steps: number; batchSize: number; learningRate: number },
  rng: Rng,
): Mlp {
  const { hidden } = options;
  const inputs = set.features;
  const classes = 10;
  const he = (fanIn: number, n: number) => rng.normals(n, Math.sqrt(2 / fanIn));
  const params: Params = {
    w1: f32(he(inputs, inputs * hidden), [inputs, hidden]),
    b1: f32(new Float64Array(hidden)),
    w2: f32(he(hidden, hidden * classes), [hidden, classes]),
    b2: f32(new Float64Array(classes)),
  };
  const targets = oneHot(set.labels);
  const batches: Int32Array[] = [];
  const batchRng = rng.fork("batches");
  while (batches.length < options.steps) {
    batches.push(...epochBatches(set.count, options.batchSize, batchRng));
  }
  const result = train({
    params: params as never,
    loss: ((p: Params, batch: { x: JaxArray; y: JaxArray }) =>
      nn.logSoftmax(logits(p, batch.x)).mul(batch.y).sum(1).mean().neg()) as never,
    optimizer: adam({ learningRate: options.learningRate }),
    batch: (step) => {
      const rows = batches[step];
      const images = new Float32Array(rows.length * inputs);
      const y = new Float32Array(rows.length * classes);
      rows.forEach((r, i) => {
        images.set(set.images.subarray(r * inputs, (r + 1) * inputs), i * inputs);
        y.set(targets.subarray(r * classes, (r + 1) * classes), i * classes);
      });
      return { x: f32(images, [rows.length, inputs]), y: f32(y, [rows.length, classes]) };
    },
    steps: options.steps,
    compile: true,
  });
  const p = result.params as unknown as Params;
  const w2 = toFloat64(p.w2.ref);
  const b2 = toFloat64(p.b2.ref);
  const head = new Float64Array(classes * (hidden + 1));
  for (let c = 0; c < classes; c++) {
    for (let j = 0; j < hidden; j++) head[c * (hidden + 1) + j] = w2[j * classes + c];
    head[c * (hidden + 1) + hidden] = b2[c];
  }
  const out = { inputs, hidden, classes, w1: toFloat64(p.w1.ref), b1: toFloat64(p.b1.ref), head };
  tree.dispose(p as never);
  return out;
}

/** The frozen hidden features relu(x W1 + b1) with a constant 1 appended, `count x (hidden + 1)`. */
export function features(mlp: Mlp, set: ImageSet): Matrix {
  const p = mlp.hidden + 1;
  const data = new Float64Array(set.count * p);
  const acc = new Float64Array(mlp.hidden);
  for (let i = 0; i < set.count; i++) {
    acc.set(mlp.b1);
    const row = set.images.subarray(i * mlp.inputs, (i + 1) * mlp.inputs);
    for (let k = 0; k < mlp.inputs; k++) {
      const v = row[k];
      if (v === 0) continue;
      const base = k * mlp.hidden;
      for (let j = 0; j < mlp.hidden; j++) acc[j] += v * mlp.w1[base + j];
    }
    for (let j = 0; j < mlp.hidden; j++) data[i * p + j] = Math.max(0, acc[j]);
    data[i * p + mlp.hidden] = 1;
  }
  return { data, rows: set.count, cols: p };
}

/** Accuracy of a softmax head (`classes x p`) on features. */
export function accuracy(
  x: Matrix,
  labels: Int32Array,
  head: Float64Array,
  classes: number,
): number {
  let correct = 0;
  for (let i = 0; i < x.rows; i++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let j = 0; j < x.cols; j++) s += x.data[i * x.cols + j] * head[c * x.cols + j];
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    }
    if (best === labels[i]) correct++;
  }
  return correct / x.rows;
}

export interface FinetuneData {
  mlp: Mlp;
  /** Per client: features and labels (label-skewed). */
  clients: Pick<SoftmaxInput, "x" | "labels">[];
  test: { x: Matrix; labels: Int32Array };
}

/**
 * Pre-trains on `pretrainCount` images of digits 0-4, then splits
 * `clients x samplesPerClient` other training images so that client i holds
 * digits 2i and 2i+1 (mod 10) only; the test set has all ten digits.
 */
export function finetuneData(
  options: {
    pretrainCount: number;
    pretrainSteps: number;
    hidden: number;
    clients: number;
    samplesPerClient: number;
    testCount: number;
    seed: number;
  },
  rng: Rng,
): FinetuneData {
  const { train: all, test } = loadMnist({
    seed: options.seed,
    train: 8000,
    test: options.testCount,
  });
  const pretrainRows: number[] = [];
  const rest: number[] = [];
  for (let i = 0; i < all.count; i++) {
    if (all.labels[i] < 5 && pretrainRows.length < options.pretrainCount) pretrainRows.push(i);
    else rest.push(i);
  }
  const mlp = pretrainMlp(
    subset(all, pretrainRows),
    { hidden: options.hidden, steps: options.pretrainSteps, batchSize: 64, learningRate: 3e-3 },
    rng.fork("pretrain"),
  );
  const clients: FinetuneData["clients"] = [];
  const used = new Set<number>();
  for (let c = 0; c < options.clients; c++) {
    const digits = [(2 * c) % 10, (2 * c + 1) % 10];
    const rows = rest
      .filter((r) => !used.has(r) && digits.includes(all.labels[r]))
      .slice(0, options.samplesPerClient);
    for (const r of rows) used.add(r);
    const set = subset(all, rows);
    clients.push({ x: features(mlp, set), labels: set.labels });
  }
  return { mlp, clients, test: { x: features(mlp, test), labels: test.labels } };
}
