// Cross-check of the hand-written float64 loss and gradient against the
// engine's autodiff (@jax-js/jax, float64 arrays). The engine's wasm tanh and
// exp are only float32-accurate, which is why the study does not use it: the
// two agree to about 1e-6 here, against 1e-8 or better for our own finite
// differences (batch-loss.test.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Array, f64, grad, nn, np, toFloat64, toNumber } from "../../core/engine.js";
import { Rng } from "../../core/rng.js";
import { BatchLoss } from "./batch-loss.js";
import { initParams, layout, type MlpShape, makeBatch } from "./mlp.js";

const shape: MlpShape = { inputs: 6, width: 5, classes: 4 };
const count = 7;
const rng = new Rng(21);
const images = new Float64Array(count * shape.inputs).map(() => rng.uniform());
const labels = new Int32Array(count).map(() => rng.int(shape.classes));
const theta = initParams(shape, rng);
const at = layout(shape);

function engineLoss(p: { w1: Array; b1: Array; w2: Array; b2: Array }): Array {
  const x = f64(images, [count, shape.inputs]);
  const z = np.matmul(x, p.w1.transpose()).add(p.b1);
  const inner = z.ref.add(z.ref.mul(z.ref).mul(z.ref).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
  const hidden = z.mul(np.tanh(inner).add(1)).mul(0.5);
  const logits = np.matmul(hidden, p.w2.transpose()).add(p.b2);
  const logp = nn.logSoftmax(logits, -1);
  const onehot = new Float64Array(count * shape.classes);
  labels.forEach((label, b) => {
    onehot[b * shape.classes + label] = 1;
  });
  return logp
    .mul(f64(onehot, [count, shape.classes]))
    .sum()
    .mul(-1 / count);
}

function params() {
  return {
    w1: f64(theta.slice(at.w1, at.b1), [shape.width, shape.inputs]),
    b1: f64(theta.slice(at.b1, at.w2)),
    w2: f64(theta.slice(at.w2, at.b2), [shape.classes, shape.width]),
    b2: f64(theta.slice(at.b2)),
  };
}

test("hand-written loss and gradient agree with the engine's float64 autodiff to 1e-5", () => {
  const ours = new BatchLoss(shape, count);
  ours.setParams(theta, makeBatch(images, labels, shape.inputs));
  const engineValue = toNumber(engineLoss(params()));
  assert.ok(
    Math.abs(engineValue - ours.loss) < 1e-5 * Math.abs(ours.loss),
    `${engineValue} vs ${ours.loss}`,
  );

  const g = grad(engineLoss)(params()) as { w1: Array; b1: Array; w2: Array; b2: Array };
  const flat = [...toFloat64(g.w1), ...toFloat64(g.b1), ...toFloat64(g.w2), ...toFloat64(g.b2)];
  let scale = 0;
  let err = 0;
  for (let i = 0; i < flat.length; i++) {
    scale = Math.max(scale, Math.abs(ours.gradient[i]));
    err = Math.max(err, Math.abs(flat[i] - ours.gradient[i]));
  }
  assert.ok(err < 1e-5 * scale, `max gradient difference ${err} (scale ${scale})`);
});
