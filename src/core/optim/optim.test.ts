import assert from "node:assert/strict";
import { test } from "node:test";
import { type Array, f64, toFloat64 } from "../engine.js";
import {
  adagrad,
  adam,
  adamw,
  applyUpdates,
  chain,
  clipByGlobalNorm,
  cosineDecay,
  disposeState,
  type GradientTransformation,
  linearWarmup,
  momentum,
  nesterov,
  rmsprop,
  sgd,
  stepDecay,
  warmupCosine,
} from "./index.js";

/** Runs an optimiser on fixed gradient sequences for a 2-vector, returning params after each step. */
function run(opt: GradientTransformation, start: number[], gradients: number[][]): number[][] {
  let params = { w: f64(start) } as { w: Array };
  let state = opt.init(params);
  const out: number[][] = [];
  for (const g of gradients) {
    const [updates, next] = opt.update({ w: f64(g) }, state, params);
    state = next;
    params = applyUpdates(params, updates) as { w: Array };
    out.push([...toFloat64(params.w.ref)]);
  }
  params.w.dispose();
  disposeState(state);
  return out;
}

function close(actual: number[][], expected: number[][], tol = 1e-12): void {
  actual.forEach((row, i) => {
    row.forEach((v, j) => {
      assert.ok(Math.abs(v - expected[i][j]) <= tol, `step ${i} [${j}]: ${v} vs ${expected[i][j]}`);
    });
  });
}

const grads = [
  [1, -2],
  [0.5, 1],
  [-1, 3],
];

test("sgd: w -= lr g", () => {
  close(run(sgd(0.1), [1, 1], grads), [
    [0.9, 1.2],
    [0.85, 1.1],
    [0.95, 0.8],
  ]);
});

test("momentum and nesterov match hand computations", () => {
  // t1 = g1 = (1,-2); t2 = g2 + 0.5 t1 = (1, 0); t3 = g3 + 0.5 t2 = (-0.5, 3)
  close(run(momentum(0.1, 0.5), [0, 0], grads), [
    [-0.1, 0.2],
    [-0.2, 0.2],
    [-0.15, -0.1],
  ]);
  // nesterov update = g + 0.5 t: (1.5,-3), (1, 1), (-1.25, 4.5)
  close(run(nesterov(0.1, 0.5), [0, 0], grads), [
    [-0.15, 0.3],
    [-0.25, 0.2],
    [-0.125, -0.25],
  ]);
});

test("adam: first steps are lr * sign(g) and match the update rule", () => {
  const lr = 0.01;
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  let m = [0, 0];
  let v = [0, 0];
  let w = [1, 1];
  const expected: number[][] = [];
  grads.forEach((g, k) => {
    const t = k + 1;
    m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]);
    v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i] * g[i]);
    w = w.map(
      (wi, i) => wi - (lr * (m[i] / (1 - b1 ** t))) / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps),
    );
    expected.push([...w]);
  });
  const got = run(adam({ learningRate: lr }), [1, 1], grads);
  close(got, expected, 1e-12);
  assert.ok(Math.abs(got[0][0] - 0.99) < 1e-8, "first Adam step moves by lr");
});

test("adamw adds decoupled weight decay before the learning rate", () => {
  // first step: adam direction sign(g) = (1,-1) (to 1e-8), plus wd * w = 0.1 * (2, 2)
  const got = run(adamw({ learningRate: 0.5, weightDecay: 0.1 }), [2, 2], [grads[0]]);
  close(got, [[2 - 0.5 * (1 + 0.2), 2 - 0.5 * (-1 + 0.2)]], 1e-7);
});

test("rmsprop and adagrad match hand computations", () => {
  // rmsprop, decay 0.9: v1 = 0.1 g^2 -> update g / (sqrt(0.1)|g| + eps)
  const r = run(rmsprop({ learningRate: 0.1, decay: 0.9, eps: 0 }), [0, 0], [grads[0]]);
  close(r, [[-0.1 / Math.sqrt(0.1), 0.1 / Math.sqrt(0.1)]], 1e-12);
  // adagrad, s0 = 0.1: s1 = 0.1 + g^2
  const a = run(adagrad({ learningRate: 1, initialAccumulator: 0.1, eps: 0 }), [0, 0], [grads[0]]);
  close(a, [[-1 / Math.sqrt(1.1), 2 / Math.sqrt(4.1)]], 1e-12);
});

test("clipByGlobalNorm rescales only when the norm exceeds the bound", () => {
  // g = (3, 4) has norm 5: clipped to norm 1 -> (0.6, 0.8)
  close(run(chain(clipByGlobalNorm(1), sgd(1)), [0, 0], [[3, 4]]), [[-0.6, -0.8]], 1e-12);
  close(run(chain(clipByGlobalNorm(10), sgd(1)), [0, 0], [[3, 4]]), [[-3, -4]], 1e-12);
});

test("schedules", () => {
  assert.equal(stepDecay(1, 10, 0.5)(25), 0.25);
  assert.equal(cosineDecay(1, 100)(0), 1);
  assert.ok(Math.abs(cosineDecay(1, 100)(50) - 0.5) < 1e-15);
  assert.equal(cosineDecay(1, 100, 0.1)(200), 0.1);
  assert.equal(linearWarmup(0, 1, 4)(1), 0.25);
  const wc = warmupCosine(2, 10, 110);
  assert.equal(wc(5), 1);
  assert.equal(wc(10), 2);
  assert.ok(Math.abs(wc(60) - 1) < 1e-12);
  // a schedule drives sgd: rates 1, 0.5, 0.25 on g = 1
  close(
    run(
      sgd(stepDecay(1, 1, 0.5)),
      [0, 0],
      [
        [1, 1],
        [1, 1],
        [1, 1],
      ],
    ),
    [
      [-1, -1],
      [-1.5, -1.5],
      [-1.75, -1.75],
    ],
  );
});
