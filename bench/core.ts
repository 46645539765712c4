// Core benchmarks: a mini-batch training step, a full-batch GD step and a
// Hessian-vector product on MNIST MLPs, ours (jax-js, wasm) against
// TensorFlow.js's wasm backend in the same process, and numpy when present.
import { spawnSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { hvp } from "../src/core/curvature.js";
import { type Array, f32, jit, nn, np, tree, valueAndGrad } from "../src/core/engine.js";
import { Rng } from "../src/core/rng.js";
import { type BenchRow, timeMs } from "./harness.js";

interface Mlp {
  widths: number[];
  activation: "relu" | "tanh";
  loss: "crossEntropy" | "squared";
  batch: number;
}

function initialWeights(widths: number[], rng: Rng): Float32Array[] {
  const out: Float32Array[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const limit = Math.sqrt(6 / (widths[l] + widths[l + 1]));
    out.push(
      Float32Array.from(
        { length: widths[l] * widths[l + 1] },
        () => (2 * rng.uniform() - 1) * limit,
      ),
    );
    out.push(new Float32Array(widths[l + 1]));
  }
  return out;
}

function data(spec: Mlp, rng: Rng) {
  const x = Float32Array.from({ length: spec.batch * spec.widths[0] }, () => rng.uniform());
  const y = new Float32Array(spec.batch * 10);
  for (let i = 0; i < spec.batch; i++) y[i * 10 + rng.int(10)] = 1;
  return { x, y };
}

function shapes(widths: number[]): number[][] {
  const out: number[][] = [];
  for (let l = 0; l + 1 < widths.length; l++) out.push([widths[l], widths[l + 1]], [widths[l + 1]]);
  return out;
}

// ours: the loss on a flat list [w0, b0, w1, b1, ...]
function oursLoss(spec: Mlp) {
  return (params: Array[], batch: { x: Array; y: Array }) => {
    let h = batch.x;
    const layers = params.length / 2;
    for (let l = 0; l < layers; l++) {
      const z = np.matmul(h, params[2 * l]).add(params[2 * l + 1]);
      h = l === layers - 1 ? z : spec.activation === "relu" ? nn.relu(z) : np.tanh(z);
    }
    if (spec.loss === "squared") {
      const d = h.sub(batch.y);
      return d.ref.mul(d).sum(1).mean().mul(0.5);
    }
    return nn.logSoftmax(h).mul(batch.y).sum(1).mean().neg();
  };
}

function tfLoss(spec: Mlp) {
  return (params: tf.Tensor[], x: tf.Tensor, y: tf.Tensor) => {
    let h = x;
    const layers = params.length / 2;
    for (let l = 0; l < layers; l++) {
      const z = tf.add(tf.matMul(h, params[2 * l]), params[2 * l + 1]);
      h = l === layers - 1 ? z : spec.activation === "relu" ? tf.relu(z) : tf.tanh(z);
    }
    if (spec.loss === "squared") return tf.mul(0.5, tf.mean(tf.sum(tf.square(tf.sub(h, y)), 1)));
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(h), y), 1)));
  };
}

async function trainStep(name: string, spec: Mlp, rng: Rng): Promise<BenchRow> {
  const weights = initialWeights(spec.widths, rng);
  const { x, y } = data(spec, rng);
  const lr = 0.01;

  // ours: one jit-compiled step (value, gradient and SGD update)
  const loss = oursLoss(spec);
  const step = jit((params: Array[], batch: { x: Array; y: Array }) => {
    const lossAndGrad = valueAndGrad(loss as never) as unknown as (
      p: Array[],
      b: { x: Array; y: Array },
    ) => [Array, Array[]];
    const [value, grads] = lossAndGrad(tree.ref(params), batch);
    const next = params.map((p, i) => p.sub(grads[i].mul(lr)));
    return [value, next];
  });
  let params = weights.map((w, i) => f32(w, shapes(spec.widths)[i]));
  const xs = f32(x, [spec.batch, spec.widths[0]]);
  const ys = f32(y, [spec.batch, 10]);
  const ours = await timeMs(() => {
    const [value, next] = step(params, { x: xs.ref, y: ys.ref }) as unknown as [Array, Array[]];
    value.dataSync();
    params = next;
  });
  tree.dispose(params);
  tree.dispose([xs, ys]);
  step.dispose();

  // TF.js wasm: the same step with tf.grads
  const tfParams = weights.map((w, i) => tf.variable(tf.tensor(w, shapes(spec.widths)[i])));
  const tx = tf.tensor(x, [spec.batch, spec.widths[0]]);
  const ty = tf.tensor(y, [spec.batch, 10]);
  const tl = tfLoss(spec);
  const theirs = await timeMs(() => {
    const value = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tl(tfParams, tx, ty) as tf.Scalar, tfParams);
      tfParams.forEach((p) => {
        p.assign(tf.sub(p, tf.mul(lr, grads[p.name])));
      });
      return value;
    });
    value.dataSync();
    value.dispose();
  });
  tf.dispose([...tfParams, tx, ty]);
  return { name, ms: ours, baseline: "TF.js wasm", baselineMs: theirs };
}

async function hvpBench(spec: Mlp, rng: Rng): Promise<BenchRow> {
  const weights = initialWeights(spec.widths, rng);
  const vs = initialWeights(spec.widths, rng);
  const { x, y } = data(spec, rng);
  const loss = oursLoss(spec);
  const sh = shapes(spec.widths);
  const params = weights.map((w, i) => f32(w, sh[i]));
  const xs = f32(x, [spec.batch, spec.widths[0]]);
  const ys = f32(y, [spec.batch, 10]);
  const ours = await timeMs(
    () => {
      const out = hvp(
        (p) => loss(p as Array[], { x: xs.ref, y: ys.ref }),
        tree.ref(params),
        vs.map((v, i) => f32(v, sh[i])),
      ) as Array[];
      for (const o of out) o.dataSync();
    },
    5,
    1,
  );
  tree.dispose([...params, xs, ys]);

  // TF.js has no forward mode: H v = grad_w <grad_w L, v> (reverse over reverse)
  const tp = weights.map((w, i) => tf.tensor(w, sh[i]));
  const tv = vs.map((v, i) => tf.tensor(v, sh[i]));
  const tx = tf.tensor(x, [spec.batch, spec.widths[0]]);
  const ty = tf.tensor(y, [spec.batch, 10]);
  const tl = tfLoss(spec);
  let note = "TF.js: reverse over reverse";
  let theirs: number | undefined;
  try {
    theirs = await timeMs(
      () => {
        const out = tf.tidy(() => {
          const inner = (...ps: tf.Tensor[]) => {
            const g = tf.grads((...qs: tf.Tensor[]) => tl(qs, tx, ty))(ps);
            return tf.addN(g.map((gi, i) => tf.sum(tf.mul(gi, tv[i]))));
          };
          return tf.grads(inner)(tp);
        });
        for (const o of out) o.dataSync();
        tf.dispose(out);
      },
      5,
      1,
    );
  } catch (error) {
    note = `TF.js could not differentiate twice: ${(error as Error).message.slice(0, 80)}`;
  }
  tf.dispose([...tp, ...tv, tx, ty]);
  return {
    name: `HVP, MLP ${spec.widths.join("-")}, ${spec.batch} examples`,
    ms: ours,
    baseline: "TF.js wasm",
    baselineMs: theirs,
    note,
  };
}

/** numpy with its BLAS on the same mini-batch step, when python3 and numpy exist. */
function numpyStep(spec: Mlp): number | null {
  const script = `
import time, numpy as np
rng = np.random.default_rng(0)
w = [rng.standard_normal((${spec.widths[0]}, ${spec.widths[1]})).astype(np.float32)*0.05, np.zeros(${spec.widths[1]}, np.float32),
     rng.standard_normal((${spec.widths[1]}, 10)).astype(np.float32)*0.05, np.zeros(10, np.float32)]
x = rng.random((${spec.batch}, ${spec.widths[0]})).astype(np.float32); y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, ${spec.batch})]
def step():
    z1 = x @ w[0] + w[1]; h = np.maximum(z1, 0); z2 = h @ w[2] + w[3]
    z2 = z2 - z2.max(1, keepdims=True); p = np.exp(z2); p /= p.sum(1, keepdims=True)
    d2 = (p - y) / x.shape[0]; gw2 = h.T @ d2; gb2 = d2.sum(0); dh = (d2 @ w[2].T) * (z1 > 0)
    gw1 = x.T @ dh; gb1 = dh.sum(0)
    for p_, g in zip(w, [gw1, gb1, gw2, gb2]): p_ -= 0.01 * g
for _ in range(5): step()
ts = []
for _ in range(50):
    t = time.perf_counter(); step(); ts.append(time.perf_counter() - t)
print(sorted(ts)[25] * 1000)`;
  const result = spawnSync("python3", ["-c", script], { encoding: "utf8", timeout: 60_000 });
  if (result.status !== 0) return null;
  const ms = Number(result.stdout.trim());
  return Number.isFinite(ms) ? ms : null;
}

export async function benchCore(): Promise<BenchRow[]> {
  await tf.setBackend("wasm");
  await tf.ready();
  const rng = new Rng(0);
  const miniBatch: Mlp = {
    widths: [784, 256, 10],
    activation: "relu",
    loss: "crossEntropy",
    batch: 128,
  };
  const fullBatch: Mlp = {
    widths: [784, 200, 200, 10],
    activation: "tanh",
    loss: "squared",
    batch: 2000,
  };
  const rows: BenchRow[] = [];
  rows.push(await trainStep("mini-batch step, MLP 784-256-10, batch 128, float32", miniBatch, rng));
  const numpy = numpyStep(miniBatch);
  rows.push({
    name: "mini-batch step, same, numpy (hand-written backward)",
    ms: rows[0].ms,
    baseline: "numpy",
    baselineMs: numpy ?? undefined,
    note:
      numpy === null
        ? "skipped: python3 with numpy not found"
        : "ours / numpy (numpy uses its BLAS threads)",
  });
  rows.push(
    await trainStep("full-batch GD step, MLP 784-200-200-10 tanh, 2000 digits", fullBatch, rng),
  );
  rows.push(await hvpBench({ ...fullBatch, batch: 500 }, rng));
  return rows;
}
