import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { type Array, np, toFloat64, toNumber, valueAndGrad } from "../../core/engine.js";
import { Rng } from "../../core/rng.js";
import { blockRange, initFlat, logProbs, meanNll, unflatten, vector } from "./model.js";
import { batchOf, encode, makeTrainStep, trainModel } from "./train.js";
import { type Method, Unlearner, type UnlearnInputs, unlearningLoss } from "./unlearn.js";

const shape = { seqLen: 16, width: 16, layers: 2, heads: 2 };
const { layout, theta: init } = initFlat(shape, new Rng(2));
const forgetTexts = ["From: a@x.org hi", "From: q@rare.io", "Subject: lunch?", "zz top zz top"];
const retainTexts = ["From: b@y.com ok", "Subject: re: hi", "the cat sat on", "From: c@y.com no"];
const forget = encode(forgetTexts, shape.seqLen);
const retain = encode(retainTexts, shape.seqLen);
const rows = [0, 1, 2, 3];
const settings = { heads: shape.heads, npoBeta: 0.1 };

// A model fitted to forget + retain, so forgetting has something to undo.
const step = makeTrainStep(layout);
const trained = trainModel({
  step,
  theta: init,
  data: encode([...forgetTexts, ...retainTexts], shape.seqLen),
  steps: 60,
  batchSize: 8,
  learningRate: 1e-2,
  weightDecay: 0,
  rng: new Rng(3),
});
step.dispose();

function inputs(original: Float32Array): UnlearnInputs {
  const noisy = batchOf(forget, rows);
  noisy.targets.dispose();
  const random = Int32Array.from({ length: 4 * shape.seqLen }, (_, i) => 32 + ((i * 37) % 90));
  noisy.targets = vector(random, np.int32).reshape([4, shape.seqLen]);
  return {
    original: vector(original),
    forget: batchOf(forget, rows),
    noisy,
    retain: batchOf(retain, rows),
  };
}

function lossGrad(method: Method, theta: Float32Array, original = trained): [number, Float64Array] {
  const data = inputs(original);
  const [loss, grad] = valueAndGrad((t: Array) =>
    unlearningLoss(method, t, data, layout, settings),
  )(vector(theta));
  return [toNumber(loss), toFloat64(grad)];
}

function nllGrad(theta: Float32Array, set = forget): [number, Float64Array] {
  const [loss, grad] = valueAndGrad((t: Array) =>
    meanNll(unflatten(t, layout), batchOf(set, rows), shape.heads),
  )(vector(theta));
  return [toNumber(loss), toFloat64(grad)];
}

const nll = (theta: Float32Array, set = forget) => nllGrad(theta, set)[0];

/** theta - eta * g / |g|: a short descent step on a method's loss. */
function descend(theta: Float32Array, g: Float64Array, eta = 0.05): Float32Array {
  let norm = 0;
  for (const v of g) norm += v * v;
  norm = Math.sqrt(norm);
  return Float32Array.from(theta, (v, i) => v - (eta * g[i]) / norm);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const maxAbs = (a: ArrayLike<number>) => maxDiff(a, new Float64Array(a.length));

test("the model's gradient matches a central finite difference", () => {
  const [, g] = nllGrad(trained);
  const rng = new Rng(9);
  const v = Float32Array.from({ length: layout.size }, () => rng.normal());
  const h = 1e-2;
  const plus = nll(Float32Array.from(trained, (x, i) => x + h * v[i]));
  const minus = nll(Float32Array.from(trained, (x, i) => x - h * v[i]));
  const fd = (plus - minus) / (2 * h);
  const exact = g.reduce((s, gi, i) => s + gi * v[i], 0);
  assert.ok(Math.abs(fd - exact) <= 0.02 * Math.abs(exact) + 1e-3, `fd ${fd} vs ${exact}`);
});

test("gradient ascent: grad = -grad NLL(forget), and a descent step raises the forget loss", () => {
  const [loss, g] = lossGrad("ga", trained);
  const [f, gf] = nllGrad(trained);
  assert.ok(Math.abs(loss + f) < 1e-5);
  assert.ok(
    maxDiff(
      g,
      gf.map((x) => -x),
    ) <
      1e-6 * (1 + maxAbs(gf)),
  );
  assert.ok(nll(descend(trained, g)) > f + 1e-3);
});

test("gradient difference: 0.999 grad NLL(retain) - 0.001 grad NLL(forget)", () => {
  const [loss, g] = lossGrad("gd", trained);
  const [f, gf] = nllGrad(trained);
  const [r, gr] = nllGrad(trained, retain);
  assert.ok(Math.abs(loss - (0.999 * r - 0.001 * f)) < 1e-5);
  const expected = gr.map((x, i) => 0.999 * x - 0.001 * gf[i]);
  assert.ok(maxDiff(g, expected) < 1e-5 * (1 + maxAbs(expected)));
});

test("random labels: a descent step raises the loss of the true forget bytes", () => {
  const [, g] = lossGrad("rl", trained);
  assert.ok(nll(descend(trained, g)) > nll(trained) + 1e-3);
});

test("NPO: value (2/beta) ln 2 at the reference; gradient there is ascent on summed NLL", () => {
  const [loss, g] = lossGrad("npo", trained);
  assert.ok(Math.abs(loss - (2 / 0.1) * Math.log(2)) < 1e-3, `loss ${loss}`);
  // at theta = reference: grad = mean_i grad(-sum_t log p) = (tokens / rows) grad meanNll
  const [f, gf] = nllGrad(trained);
  const tokens = forgetTexts.reduce((s, t) => s + t.length, 0);
  const expected = gf.map((x) => (-x * tokens) / forgetTexts.length);
  assert.ok(maxDiff(g, expected) < 1e-4 * (1 + maxAbs(expected)));
  assert.ok(nll(descend(trained, g)) > f + 1e-3);
});

test("SCRUB: KL terms vanish at the teacher; the loss combines KLs and NLL as stated", () => {
  const [loss0, g0] = lossGrad("scrub", trained);
  const [r, gr] = nllGrad(trained, retain);
  assert.ok(Math.abs(loss0 - r) < 1e-5, "KL(p || p) = 0");
  assert.ok(maxDiff(g0, gr) < 1e-4 * (1 + maxAbs(gr)), "only the retain NLL has a gradient");

  // away from the teacher: compare with a KL computed here from the two models' log-probs
  const rng = new Rng(4);
  const moved = Float32Array.from(trained, (v) => v + 0.05 * rng.normal());
  const kl = (set: typeof forget) => {
    const lp = (theta: Float32Array) =>
      toFloat64(logProbs(unflatten(vector(theta), layout), batchOf(set, rows).inputs, shape.heads));
    const teacher = lp(trained);
    const student = lp(moved);
    const vocab = teacher.length / (4 * shape.seqLen);
    let sum = 0;
    let count = 0;
    for (let pos = 0; pos < 4 * shape.seqLen; pos++) {
      if (set.mask[pos] === 0) continue;
      for (let v = 0; v < vocab; v++) {
        const k = pos * vocab + v;
        sum += Math.exp(teacher[k]) * (teacher[k] - student[k]);
      }
      count++;
    }
    return sum / count;
  };
  const [loss] = lossGrad("scrub", moved);
  const expected = 0.5 * kl(retain) + nll(moved, retain) - 0.01 * kl(forget);
  assert.ok(kl(forget) > 0);
  assert.ok(Math.abs(loss - expected) < 1e-4 * Math.abs(expected), `${loss} vs ${expected}`);
});

/** An unlearner of two steps at learning rate 1e-2 on retain batches of 4, k = 1. */
function twoStepUnlearner(stopRise: number): Unlearner {
  return new Unlearner({
    layout,
    ...settings,
    steps: 2,
    batchSize: 4,
    learningRate: 1e-2,
    k: 1,
    stopRise,
  });
}

test("EUk and CFk move only the last k blocks; EUk re-initialises them", () => {
  const unlearner = twoStepUnlearner(0);
  const [lo, hi] = blockRange(layout, 1);
  for (const method of ["euk", "cfk"] as Method[]) {
    const result = unlearner.run(method, trained, forget, retain, new Rng(5));
    assert.equal(result.steps, 2, "EUk and CFk run their whole budget");
    assert.equal(maxDiff(result.theta.subarray(0, lo), trained.subarray(0, lo)), 0);
    assert.equal(maxDiff(result.theta.subarray(hi), trained.subarray(hi)), 0);
    assert.ok(maxDiff(result.theta.subarray(lo, hi), trained.subarray(lo, hi)) > 1e-3);
  }
  unlearner.dispose();
});

test("stop rule: ascent stops once the forget NLL has risen by the gap, else at the budget", () => {
  const make = (stopRise: number) =>
    new Unlearner({
      layout,
      ...settings,
      steps: 30,
      batchSize: 4,
      learningRate: 1e-2,
      k: 1,
      stopRise,
    });
  const early = make(0.05);
  const a = early.run("ga", trained, forget, retain, new Rng(6));
  early.dispose();
  assert.ok(a.stopped && a.steps < 30 && a.steps >= 1, `steps ${a.steps}`);
  assert.ok(a.forgetNllEnd - a.forgetNllStart >= 0.05);
  assert.ok(Math.abs(a.forgetNllStart - nll(trained)) < 1e-4);
  const never = make(1e9);
  const b = never.run("ga", trained, forget, retain, new Rng(6));
  never.dispose();
  assert.ok(!b.stopped && b.steps === 30);
  assert.ok(b.forgetNllEnd > a.forgetNllEnd);
});

test("an unlearning run frees what it allocates", async () => {
  const unlearner = twoStepUnlearner(1e9);
  // three runs per method after a warm-up: leaking the gradient or the
  // parameters at each of the 3 steps would grow memory by 18 vectors or more
  const runs = () => {
    for (let i = 0; i < 3; i++) {
      for (const method of ["scrub", "euk"] as Method[]) {
        unlearner.run(method, trained, forget, retain, new Rng(8));
      }
    }
  };
  // collect garbage around the measurement: returned typed arrays are external memory too
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  // V8 frees array buffers on background threads after a collection, so the
  // external count lags on a loaded machine: collect and wait until it settles
  const settled = async () => {
    let last = Number.NaN;
    for (let i = 0; i < 20; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const now = process.memoryUsage().external;
      if (now === last) break;
      last = now;
    }
    return last;
  };
  runs();
  // a leak grows memory in every round; an unrelated allocation shows up in one round at most
  const growth: number[] = [];
  for (let round = 0; round < 2; round++) {
    const before = await settled();
    runs();
    growth.push((await settled()) - before);
  }
  unlearner.dispose();
  assert.ok(
    Math.min(...growth) < 3 * 4 * layout.size,
    `external memory grew by ${growth.join(" and ")} bytes`,
  );
});
