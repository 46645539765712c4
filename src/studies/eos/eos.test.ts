import assert from "node:assert/strict";
import { test } from "node:test";
import { hessianOperator, powerIteration } from "../../core/curvature.js";
import { loadMnist, oneHot } from "../../core/data/mnist.js";
import { type Array, f32, f64, grad, hessian, np, toFloat64, tree } from "../../core/engine.js";
import { symmetricEigen } from "../../core/linalg.js";
import { minimumL1Interpolator } from "../../core/lp.js";
import { Rng } from "../../core/rng.js";
import {
  beta,
  gradient,
  hessianVector,
  loss,
  runDiagonalGd,
  sharpness,
  sparseRegression,
} from "./diagonal.js";
import {
  eosConfig,
  finalMean,
  isMonotone,
  maxMeasurement,
  type RunSummary,
  standardise,
  study,
} from "./index.js";
import { initMlp, runMlpGd, squaredLoss } from "./mlp.js";

const problem = sparseRegression(6, 10, 2, new Rng(3));
const params = new Rng(4).normals(20, 0.7);

/** The same loss through the engine: (1/4n)||X (u^2 - v^2) - y||^2. */
function engineLoss(p: Array): Array {
  const u = p.ref.slice([0, 10]);
  const v = p.slice([10, 20]);
  const b = u.ref.mul(u).sub(v.ref.mul(v));
  const r = np.matmul(f64(problem.x, [6, 10]), b).sub(f64(problem.y));
  return r.ref
    .mul(r)
    .sum()
    .div(4 * 6);
}

test("closed-form loss and gradient agree with the engine's autodiff", () => {
  assert.ok(Math.abs(loss(problem, params) - toFloat64(engineLoss(f64(params)))[0]) < 1e-12);
  const auto = toFloat64(grad(engineLoss)(f64(params)));
  const mine = gradient(problem, params);
  for (let j = 0; j < 20; j++)
    assert.ok(Math.abs(auto[j] - mine[j]) < 1e-12, `${j}: ${auto[j]} vs ${mine[j]}`);
});

test("closed-form HVP equals the explicit Hessian; Lanczos sharpness is its top eigenvalue", () => {
  const H = toFloat64(hessian(engineLoss)(f64(params)));
  const v = new Rng(9).normals(20);
  const hv = hessianVector(problem, params, v);
  for (let i = 0; i < 20; i++) {
    let expected = 0;
    for (let j = 0; j < 20; j++) expected += H[i * 20 + j] * v[j];
    assert.ok(Math.abs(hv[i] - expected) < 1e-10, `${i}: ${hv[i]} vs ${expected}`);
  }
  const top = symmetricEigen(H, 20).values[19];
  assert.ok(Math.abs(sharpness(problem, params, new Rng(1)) - top) < 1e-8 * top);
});

// the study's problem at seed 0, its S0, and GD runs as in the quick preset
const studyProblem = sparseRegression(20, 100, 3, new Rng(0).fork("diagonal-data"));
const studyS0 = sharpness(studyProblem, new Float64Array(200).fill(0.01), new Rng(1), 60);
const studyRun = (c: number, steps = 10000) =>
  runDiagonalGd(studyProblem, {
    alpha: 0.01,
    stepSize: (2 * c) / studyS0,
    steps,
    sharpnessEvery: 20,
    denseSharpnessSteps: 300,
    rng: new Rng(2),
  });
const maxSharp = (r: { sharpness: { step: number; value: number }[] }) =>
  maxMeasurement(r.sharpness).value;

test("edge of stability on the diagonal network at quick scale (n = 20, d = 100)", () => {
  const p = studyProblem;
  const big = studyRun(1.0);
  const small = studyRun(0.5);
  // claim: at c = 1 the sharpness reaches at least 0.9 * 2/eta while the loss still falls below 1e-3 of its start
  assert.ok(
    maxSharp(big) >= 0.9 * big.twoOverEta,
    `max sharpness ${maxSharp(big)} vs 2/eta ${big.twoOverEta}`,
  );
  assert.ok(big.losses[big.losses.length - 1] < 1e-3 * big.losses[0]);
  assert.equal(isMonotone(big.losses), false, "the loss is non-monotone at the edge of stability");
  // at c = 0.5 the loss falls monotonically and the sharpness ends well below 2/eta
  // (it crosses 2/eta for one step early on: 3.245 vs 3.18 at step 8, checked against the exact Hessian)
  assert.equal(isMonotone(small.losses), true);
  const smallFinal = finalMean(small.sharpness, small.steps);
  assert.ok(smallFinal < 0.85 * small.twoOverEta, `${smallFinal} vs 2/eta ${small.twoOverEta}`);
  // larger steps find interpolators of larger l1 norm, all above the minimum-l1 one
  const l1 = (r: typeof big) => beta(r.finalParams, 100).reduce((a, v) => a + Math.abs(v), 0);
  const l1Min = minimumL1Interpolator(p.x, p.y, 20, 100).reduce((a, v) => a + Math.abs(v), 0);
  assert.ok(
    l1Min <= l1(small) + 1e-9 && l1(small) < l1(big),
    `${l1Min} <= ${l1(small)} < ${l1(big)}`,
  );
});

test("at c = 0.8 and 0.9 the sharpness overshoots 2/eta early, then settles just below it", () => {
  for (const c of [0.8, 0.9]) {
    const r = studyRun(c);
    assert.equal(r.diverged, false);
    // dense sampling: every one of the first 300 steps is measured
    assert.deepEqual(
      r.sharpness.slice(0, 300).map((s) => s.step),
      Array.from({ length: 300 }, (_, i) => i),
    );
    const top = maxMeasurement(r.sharpness);
    assert.ok(top.value > r.twoOverEta, `c = ${c}: max ${top.value} vs 2/eta ${r.twoOverEta}`);
    assert.ok(top.step < 50, `c = ${c}: the overshoot comes early, not at step ${top.step}`);
    assert.ok(r.losses[r.losses.length - 1] < 1e-3 * r.losses[0]);
    const settled = finalMean(r.sharpness, r.steps);
    assert.ok(
      settled <= r.twoOverEta && settled >= 0.95 * r.twoOverEta,
      `c = ${c}: final sharpness ${settled} vs 2/eta ${r.twoOverEta}`,
    );
  }
});

test("the study's divergent multiplier 1.5 diverges within a few steps", () => {
  const r = studyRun(1.5, 5000);
  assert.equal(r.diverged, true);
  assert.ok(r.steps < 100, `stopped after ${r.steps} steps`);
  assert.equal(r.losses.length, r.steps);
  assert.ok(r.losses.every(Number.isFinite));
});

test("isMonotone: decreasing and tiny-noise tails pass, a real rise fails", () => {
  assert.equal(isMonotone([1, 0.5, 0.25, 0.1, 0.1, 0]), true);
  // once the loss is below 1e-20, floating-point noise is not a rise
  assert.equal(isMonotone([1, 1e-10, 1e-21, 5e-21, 2e-21, 3e-32, 1e-31]), true);
  // a rise within 1e-9 relative is rounding
  assert.equal(isMonotone([1, 1 + 1e-12, 0.5]), true);
  assert.equal(isMonotone([1, 0.5, 0.6, 0.1]), false);
  assert.equal(isMonotone([1e-19, 2e-19]), false);
});

test("finalMean averages the measurements in the last 10% of steps", () => {
  const values = [0, 50, 89, 90, 95, 99].map((step) => ({ step, value: step }));
  assert.equal(finalMean(values, 100), (90 + 95 + 99) / 3);
  assert.equal(finalMean([{ step: 0, value: 7 }], 100), 7);
  const long = Array.from({ length: 200000 }, (_, i) => ({ step: i, value: i % 1000 }));
  assert.deepEqual(maxMeasurement(long), { step: 999, value: 999 });
});

test("a step past the threshold diverges and is reported as such", () => {
  const p = sparseRegression(20, 100, 3, new Rng(0));
  const s0 = sharpness(p, new Float64Array(200).fill(0.01), new Rng(1), 60);
  const r = runDiagonalGd(p, {
    alpha: 0.01,
    stepSize: (2 * 2) / s0,
    steps: 5000,
    sharpnessEvery: 50,
    rng: new Rng(2),
  });
  assert.equal(r.diverged, true);
  assert.ok(r.steps < 5000);
});

test("MLP sharpness by power iteration matches the explicit Hessian of a tiny net", () => {
  const rng = new Rng(5);
  const widths = [4, 3, 2];
  const x = Float32Array.from(rng.normals(5 * 4));
  const y = new Float32Array(10);
  for (let i = 0; i < 5; i++) y[i * 2 + (i % 2)] = 1;
  const init = initMlp(widths, new Rng(8)) as any;
  // flatten the 4*3 + 3 + 3*2 + 2 = 23 parameters and build the full Hessian with the engine
  const shapes = [[4, 3], [3], [3, 2], [2]];
  const flat = Float32Array.from([
    ...toFloat64(init.weights[0]),
    ...toFloat64(init.biases[0]),
    ...toFloat64(init.weights[1]),
    ...toFloat64(init.biases[1]),
  ]);
  const unflat = (v: Array) => {
    const parts: Array[] = [];
    let offset = 0;
    for (const s of shapes) {
      const size = s.reduce((a, b) => a * b, 1);
      parts.push(v.ref.slice([offset, offset + size]).reshape(s));
      offset += size;
    }
    v.dispose();
    return { weights: [parts[0], parts[2]], biases: [parts[1], parts[3]] };
  };
  const f = (v: Array) => squaredLoss(unflat(v), { x: f32(x, [5, 4]), y: f32(y, [5, 2]) });
  const H = toFloat64(hessian(f)(f32(flat)));
  const top = symmetricEigen(H, 23).values;
  const largest = [...top].sort((a, b) => Math.abs(b) - Math.abs(a))[0];
  // the study's path: HVPs through the tree-shaped MLP, then power iteration
  const params = initMlp(widths, new Rng(8));
  const op = hessianOperator(
    (p) => squaredLoss(p as any, { x: f32(x, [5, 4]), y: f32(y, [5, 2]) }),
    params,
  );
  const power = powerIteration(op.operator, op.size, {
    iterations: 2000,
    tolerance: 1e-9,
    rng: new Rng(6),
  });
  assert.equal(op.size, 23);
  assert.ok(
    Math.abs(power.value - largest) < 1e-3 * Math.abs(largest),
    `${power.value} vs ${largest}`,
  );
  tree.dispose(params);
});

test("a short MLP run on real MNIST digits lowers the loss and measures positive sharpness", () => {
  const { train } = loadMnist({ seed: 0, train: 100, test: 0 });
  const run = runMlpGd({
    widths: [784, 16, 10],
    images: standardise(train.images, train.count, train.features),
    targets: oneHot(train.labels),
    labels: train.labels,
    count: train.count,
    stepSize: 0.01,
    steps: 30,
    sharpnessEvery: 10,
    powerIterations: 10,
    rng: new Rng(1),
  });
  assert.equal(run.diverged, false);
  assert.equal(run.losses.length, 30);
  assert.ok(run.losses[29] < 0.9 * run.losses[0], `loss ${run.losses[0]} -> ${run.losses[29]}`);
  assert.ok(isMonotone(run.losses), "a small step lowers the loss at every step");
  // measured at steps 0, 10, 20 and the last step
  assert.deepEqual(
    run.sharpness.map((s) => s.step),
    [0, 10, 20, 29],
  );
  for (const s of run.sharpness) assert.ok(s.value > 0 && Number.isFinite(s.value), `${s.value}`);
  // GD with eta below 2/sharpness: the run is stable
  assert.ok(run.sharpness[0].value < run.twoOverEta);
});

test("study.run: eta = c * 2 / S0 for every run, S0 the exact top Hessian eigenvalue", async () => {
  const config = eosConfig.parse({
    diagonal: { steps: 200, smallSteps: 200, sharpnessEvery: 50, denseSharpnessSteps: 10 },
    mlp: { enabled: false },
  });
  const metrics: Record<string, unknown>[] = [];
  const progress: { stage: string; done: number; total: number; message?: string }[] = [];
  const summary = await study.run(config, {
    seed: 0,
    rng: new Rng(0),
    progress: (p) => progress.push(p),
    metric: (m) => metrics.push(m),
    artifact: () => "",
    outDir: "",
  });
  // S0 from the explicit Hessian at w_plus = w_minus = alpha
  const start = new Float64Array(200).fill(0.01);
  const H = new Float64Array(200 * 200);
  for (let j = 0; j < 200; j++) {
    const e = new Float64Array(200);
    e[j] = 1;
    const column = hessianVector(studyProblem, start, e);
    for (let i = 0; i < 200; i++) H[i * 200 + j] = column[i];
  }
  const exact = symmetricEigen(H, 200).values.reduce((a, v) => Math.max(a, v), -Infinity);
  const dg = summary.diagonal;
  assert.ok(Math.abs(dg.s0 - exact) < 1e-9 * exact, `${dg.s0} vs ${exact}`);
  const runs: RunSummary[] = [...dg.runs, dg.smallStep];
  assert.deepEqual(
    runs.map((r) => r.multiplier),
    [0.5, 0.8, 0.9, 1.0, 1.5, 0.05],
  );
  for (const r of runs) {
    assert.ok(Math.abs((r.stepSize * exact) / 2 - (r.multiplier ?? 0)) < 1e-9, r.label);
    assert.equal(r.twoOverEta, 2 / r.stepSize);
  }
  // the divergent run: no l1 norm, progress ends at the step where it stopped
  const divergent = dg.runs[4];
  assert.equal(divergent.diverged, true);
  assert.equal(divergent.l1Norm, undefined);
  const last = progress.filter((p) => p.stage === "diagonal c=1.5").at(-1);
  assert.equal(last?.done, divergent.steps);
  assert.equal(
    last?.total,
    divergent.steps,
    "a non-terminal progress sink prints a finished stage",
  );
  assert.match(String(last?.message), /diverged after \d+ of 200 steps/);
  assert.ok((last?.done ?? Infinity) < 200);
  // the control's flattest interpolator is sharper than 2/eta at each control step
  for (const r of dg.control) assert.ok(dg.controlInterpolatorSharpness > r.twoOverEta, r.label);
  // every run's metrics carry its own label
  const labels = new Set(metrics.map((m) => m.run));
  for (const r of [...runs, ...dg.control]) assert.ok(labels.has(r.label), r.label);
  assert.equal(summary.mlp, null);
});

test("the config rejects duplicate run labels and impossible sizes before running", () => {
  const bad = (override: Record<string, unknown>) =>
    eosConfig.safeParse(override).success === false;
  assert.equal(bad({}), false);
  assert.ok(bad({ diagonal: { divergentMultiplier: 1 } }), "divergent multiplier in multipliers");
  assert.ok(bad({ diagonal: { smallMultiplier: 0.5 } }), "small multiplier in multipliers");
  assert.ok(bad({ diagonal: { multipliers: [0.5, 0.5] } }), "duplicate multipliers");
  assert.ok(bad({ diagonal: { multipliers: [] } }), "no multipliers");
  assert.ok(bad({ diagonal: { support: 101 } }), "support > d");
  assert.ok(bad({ diagonal: { controlN: 50 } }), "control with n < d");
  assert.ok(bad({ mlp: { examples: 10001 } }), "more digits than MNIST has");
  const message = eosConfig.safeParse({ diagonal: { divergentMultiplier: 1 } });
  assert.match(String(message.error?.issues[0].path.join(".")), /diagonal.divergentMultiplier/);
});
