import assert from "node:assert/strict";
import { test } from "node:test";
import { type Array, f32, f64, np, toFloat64, tree } from "./engine.js";
import { externalGrowth } from "./leaks.js";
import { adam, sgd } from "./optim/index.js";
import { Rng } from "./rng.js";
import { epochBatches, train } from "./train.js";

// least squares y = X w* with a known solution
const rng = new Rng(11);
const n = 40;
const X = rng.normals(n * 3);
const wStar = [1, -2, 0.5];
const y = new Float64Array(n);
for (let i = 0; i < n; i++) for (let j = 0; j < 3; j++) y[i] += X[i * 3 + j] * wStar[j];
const loss = (p: any, batch: { x: Array; y: Array }) => {
  const r = np.matmul(batch.x, p.w).reshape([-1]).sub(batch.y);
  return r.ref.mul(r).mean().mul(0.5);
};

test("full-batch GD converges to the least-squares solution and logs every step", () => {
  const records: Record<string, unknown>[] = [];
  const result = train({
    params: { w: f64([0, 0, 0], [3, 1]) },
    loss,
    optimizer: sgd(0.3),
    batch: () => ({ x: f64(X, [n, 3]), y: f64(y) }),
    steps: 200,
    onMetric: (r) => records.push(r),
  });
  const w = toFloat64((result.params as any).w);
  wStar.forEach((v, j) => {
    assert.ok(Math.abs(w[j] - v) < 1e-8, `w[${j}] = ${w[j]}`);
  });
  assert.equal(records.length, 200);
  assert.ok(result.losses[199] < 1e-16);
  // the first step is a hand-computable GD step: w1 = 0.3 * X^T y / n
  assert.ok(result.losses[0] > result.losses[1]);
});

test("early stopping stops after `patience` evaluations without improvement and restores the best", () => {
  let evals = 0;
  const scores = [5, 4, 3, 3.5, 3.6, 3.7, 3.8, 1];
  const seen: number[][] = [];
  const result = train({
    params: { w: f64([0, 0, 0], [3, 1]) },
    loss,
    optimizer: sgd(0.01),
    batch: () => ({ x: f64(X, [n, 3]), y: f64(y) }),
    steps: 100,
    evalEvery: 2,
    evaluate: (params: any) => {
      seen.push([...toFloat64(params.w.ref)]);
      return { val: scores[evals++] };
    },
    earlyStopping: { metric: "val", mode: "min", patience: 3, restoreBest: true },
  });
  assert.equal(result.stoppedEarly, true);
  assert.equal(result.bestStep, 6);
  assert.equal(result.bestValue, 3);
  assert.equal(result.steps, 12);
  // restoreBest returns the parameters seen at the best evaluation (the third, step 6)
  assert.deepEqual([...toFloat64((result.params as any).w)], seen[2]);
  assert.notDeepEqual(seen[2], seen[5]);
});

test("mini-batch jit-compiled training in float32 lowers the loss; batches cover the data", () => {
  const batches = epochBatches(n, 16, new Rng(1));
  assert.deepEqual(
    batches.map((b) => b.length),
    [16, 16, 8],
  );
  const seen = new Set(batches.flatMap((b) => [...b]));
  assert.equal(seen.size, n);
  const Xf = Float32Array.from(X);
  const yf = Float32Array.from(y);
  const pick = (rows: Int32Array) => {
    const xs = new Float32Array(rows.length * 3);
    const ys = new Float32Array(rows.length);
    rows.forEach((r, i) => {
      xs.set(Xf.subarray(r * 3, r * 3 + 3), i * 3);
      ys[i] = yf[r];
    });
    return { x: f32(xs, [rows.length, 3]), y: f32(ys) };
  };
  const epochRng = new Rng(2);
  let current = epochBatches(n, 16, epochRng);
  const result = train({
    params: { w: f32([0, 0, 0], [3, 1]) },
    loss,
    optimizer: adam({ learningRate: 0.05 }),
    batch: (t) => {
      if (t % 3 === 0 && t > 0) current = epochBatches(n, 16, epochRng);
      return pick(current.slice(0, 2)[t % 2]);
    },
    steps: 300,
    compile: true,
  });
  assert.ok(
    result.losses[299] < 1e-3 * result.losses[0],
    `${result.losses[0]} -> ${result.losses[299]}`,
  );
  tree.dispose(result.params);
});

test("a long training loop does not leak engine memory", () => {
  // 10,000 extra parameters: leaking even one parameter-sized array per step
  // would add 80 kB a step, 40 MB over the run.
  const padded = (p: any, batch: { x: Array; y: Array }) =>
    loss({ w: p.w }, batch).add(p.pad.ref.mul(p.pad).sum().mul(1e-3));
  const grown = externalGrowth(() => {
    const result = train({
      params: { w: f64([0, 0, 0], [3, 1]), pad: np.ones([10000], { dtype: np.float64 }) },
      loss: padded,
      optimizer: adam({ learningRate: 0.01 }),
      batch: () => ({ x: f64(X, [n, 3]), y: f64(y) }),
      steps: 500,
    });
    tree.dispose(result.params);
  });
  assert.ok(grown < 8 * 1024 * 1024, `external memory grew by ${grown} bytes`);
});
