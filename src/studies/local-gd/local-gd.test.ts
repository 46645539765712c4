import assert from "node:assert/strict";
import { test } from "node:test";
import { inProcessExecutor, workerExecutor } from "../../core/executor.js";
import { norm } from "../../core/linalg.js";
import { Rng } from "../../core/rng.js";
import {
  addLinearGradient,
  type ClientData,
  localGd,
  proximalLogistic,
  sigmoid,
  softmaxLoss,
} from "./clients.js";
import { syntheticClients } from "./data.js";
import {
  classificationExperiment,
  finetuneExperiment,
  regressionExperiment,
  type Sinks,
} from "./experiments.js";
import { average, clientWeights, localGdRound, modifiedRound } from "./federated.js";
import { checkShapes, configSchema, study } from "./index.js";
import {
  addMatTVec,
  angleDegrees,
  choleskySolve,
  gram,
  type Matrix,
  matVec,
  relativeDistance,
  stackRows,
} from "./linalg.js";
import { gradientDescentLimit, maxMargin } from "./max-margin.js";

const mat = (rows: number[][]): Matrix => ({
  data: Float64Array.from(rows.flat()),
  rows: rows.length,
  cols: rows[0].length,
});

function close(actual: ArrayLike<number>, expected: number[], tol: number): void {
  expected.forEach((v, i) => {
    assert.ok(Math.abs(actual[i] - v) <= tol, `[${i}] ${actual[i]} vs ${v}`);
  });
}

const sinks = (executor = inProcessExecutor()): Sinks => ({
  executor,
  metric: () => {},
  progress: () => {},
});

test("local update: two square-loss and two logistic steps match hand computations", () => {
  // f(w) = (1/4)||Xw - y||^2, X = diag(1, 2), y = (1, 2), eta = 0.5:
  // w1 = (0.25, 1), w2 = (0.4375, 1)
  const square = {
    x: mat([
      [1, 0],
      [0, 2],
    ]),
    y: Float64Array.from([1, 2]),
  };
  const w2 = localGd({
    ...square,
    w: new Float64Array(2),
    localSteps: 2,
    learningRate: 0.5,
    loss: "square",
  });
  close(w2, [0.4375, 1], 1e-15);
  // f(w) = log(1 + e^{-x.w}), x = (1, 1), eta = 2: w1 = (1, 1), w2 = w1 + 2 sigma(-2) (1, 1)
  const logistic = { x: mat([[1, 1]]), y: Float64Array.from([1]) };
  const l2 = localGd({
    ...logistic,
    w: new Float64Array(2),
    localSteps: 2,
    learningRate: 2,
    loss: "logistic",
  });
  const expected = 1 + 2 * sigmoid(-2);
  close(l2, [expected, expected], 1e-15);
});

test("local update in sample space equals plain gradient descent in weight space", () => {
  const rng = new Rng(3);
  const x: Matrix = { data: rng.normals(6 * 40, 0.2), rows: 6, cols: 40 };
  for (const loss of ["square", "logistic"] as const) {
    const y = loss === "square" ? rng.normals(6) : Float64Array.from([1, -1, 1, 1, -1, -1]);
    const w0 = rng.normals(40, 0.1);
    const direct = Float64Array.from(w0);
    for (let s = 0; s < 50; s++) addLinearGradient({ x, y }, direct, loss, -0.3, direct);
    const fast = localGd({ x, y, w: w0, localSteps: 50, learningRate: 0.3, loss });
    assert.ok(relativeDistance(fast, direct) < 1e-12, `${loss}: ${relativeDistance(fast, direct)}`);
  }
});

test("aggregation weights: uniform and data-size", () => {
  assert.deepEqual(clientWeights([1, 3], "uniform"), [0.5, 0.5]);
  assert.deepEqual(clientWeights([1, 3], "data-size"), [0.25, 0.75]);
  close(
    average([Float64Array.from([1, 0]), Float64Array.from([0, 4])], [0.25, 0.75]),
    [0.25, 3],
    0,
  );
});

const tiny = (task: "regression" | "classification", dimension: number): ClientData[] =>
  syntheticClients(
    {
      dimension,
      clients: 3,
      samplesPerClient: 4,
      meanShift: 1,
      scaleSpread: 0.5,
      noise: 0.1,
      task,
    },
    new Rng(7),
  );

test("centralised regression baseline: the interpolator closest to w0, in w0 + rowspace(X)", () => {
  const clients = tiny("regression", 30);
  const x = stackRows(clients.map((c) => c.x));
  const y = Float64Array.from(clients.flatMap((c) => [...c.y]));
  const w0 = new Rng(1).normals(30);
  const w = gradientDescentLimit(x, y, w0);
  close(matVec(x, w), [...y], 1e-12);
  // w - w0 lies in the row space of X: w - w0 = X^T c with c = (X X^T)^-1 X (w - w0)
  const shift = w.map((v, j) => v - w0[j]);
  const c = choleskySolve(gram(x), matVec(x, shift));
  const back = new Float64Array(30);
  addMatTVec(x, c, 1, back);
  assert.ok(relativeDistance(back, shift) < 1e-10);
});

test("Local-GD converges to the centralised solution on a tiny over-parameterised problem, for every L", async () => {
  const rows = await regressionExperiment(
    "tiny",
    tiny("regression", 30),
    {
      localSteps: [1, 10, 200],
      maxRounds: 20000,
      target: 1e-11,
      stepFactor: 1,
      weighting: "uniform",
    },
    sinks(),
  );
  for (const r of rows) assert.ok(r.relDistanceToCentralized <= 1e-11, JSON.stringify(r));
});

test("under-parameterised control: L = 1 reaches least squares, L = 10 stalls away from it", async () => {
  const rows = await regressionExperiment(
    "control",
    tiny("regression", 4),
    { localSteps: [1, 10], maxRounds: 20000, target: 1e-9, stepFactor: 1, weighting: "uniform" },
    sinks(),
  );
  assert.ok(rows[0].relDistanceToCentralized <= 1e-9, JSON.stringify(rows[0]));
  assert.ok(rows[1].relDistanceToCentralized > 1e-3, JSON.stringify(rows[1]));
});

test("max-margin QP: a hand-solvable case and KKT conditions on random separable data", () => {
  // no bias: y1 x1.w >= 1 and y2 x2.w >= 1 give w = (1, -1); the third point is not a support vector
  const svm = maxMargin(
    mat([
      [1, 0],
      [0, 1],
      [2, 0],
    ]),
    Float64Array.from([1, -1, 1]),
  );
  close(svm.w, [1, -1], 1e-12);
  close(svm.alpha, [1, 1, 0], 1e-12);
  const clients = tiny("classification", 30);
  const x = stackRows(clients.map((c) => c.x));
  const y = Float64Array.from(clients.flatMap((c) => [...c.y]));
  const big = maxMargin(x, y);
  assert.ok(big.kktViolation < 1e-10 && Math.abs(big.dualityGap) < 1e-9, JSON.stringify(big));
  assert.throws(
    () => maxMargin(mat([[1], [1]]), Float64Array.from([1, -1]), { maxSweeps: 1e6 }),
    /separable/,
  );
});

test("modified client step: the regularised local problem is solved to high accuracy", () => {
  const client = tiny("classification", 30)[0];
  const wk = new Rng(2).normals(30, 0.5);
  for (const lambda of [1, 1e-3, 1e-30]) {
    const out = proximalLogistic({
      ...client,
      w: wk,
      lambda,
      tolerance: 1e-12,
      maxIterations: 500,
    });
    // stationarity checked independently: grad f_i(w) + lambda (w - w_k) = 0
    const g = out.w.map((v, j) => lambda * (v - wk[j]));
    addLinearGradient(client, out.w, "logistic", 1, g);
    const scale = lambda * norm(out.w.map((v, j) => v - wk[j]));
    assert.ok(norm(g) <= 1e-9 * scale, `lambda ${lambda}: ${norm(g)} vs ${scale}`);
  }
});

test("modified Local-GD approaches the max-margin direction faster than plain Local-GD with many local steps", async () => {
  const { rows } = await classificationExperiment(
    "tiny",
    tiny("classification", 30),
    {
      localSteps: [1000],
      rounds: 60,
      stepFactor: 1,
      weighting: "uniform",
      lambda: 0.01,
      lambdaDecay: 0.2,
      lambdaFloor: 1e-250,
      newtonTolerance: 1e-10,
    },
    sinks(),
  );
  const plain = rows[0].angleToMaxMarginDeg;
  const modified = rows[1].angleToMaxMarginDeg;
  assert.ok(modified < 3 && modified < plain / 2, `modified ${modified} deg, plain ${plain} deg`);
});

test("softmax fine-tuning gradient matches central finite differences", () => {
  const rng = new Rng(5);
  const x: Matrix = { data: rng.normals(8 * 5), rows: 8, cols: 5 };
  const labels = Int32Array.from([0, 1, 2, 0, 1, 2, 2, 1]);
  const w = rng.normals(15, 0.3);
  const g = new Float64Array(15);
  softmaxLoss(x, labels, 3, w, 0.1, { out: g, scale: 1 });
  for (let j = 0; j < 15; j++) {
    const h = 1e-6;
    const up = Float64Array.from(w);
    const down = Float64Array.from(w);
    up[j] += h;
    down[j] -= h;
    const fd =
      (softmaxLoss(x, labels, 3, up, 0.1) - softmaxLoss(x, labels, 3, down, 0.1)) / (2 * h);
    assert.ok(Math.abs(fd - g[j]) < 1e-8, `[${j}] ${fd} vs ${g[j]}`);
  }
});

test("identical numbers in-process and on worker threads", async () => {
  const clients = tiny("classification", 30);
  const pool = workerExecutor(2);
  try {
    const runs = [];
    for (const executor of [inProcessExecutor(), pool]) {
      let w: Float64Array = new Float64Array(30);
      for (let r = 0; r < 3; r++) {
        w = await localGdRound(w, {
          clients,
          weighting: "uniform",
          executor,
          localSteps: 20,
          learningRate: 1,
          loss: "logistic",
        });
      }
      const m = await modifiedRound(w, {
        clients,
        weighting: "data-size",
        executor,
        lambda: 1e-3,
        tolerance: 1e-10,
      });
      runs.push([...m.w]);
    }
    assert.deepEqual(runs[1], runs[0]);
    assert.ok(angleDegrees(runs[0], runs[0]) === 0);
  } finally {
    await pool.close();
  }
});

test("configs that break the experiments' premises are usage errors naming the fix", () => {
  const base = configSchema.parse(study.presets.quick);
  checkShapes(base);
  assert.throws(() => checkShapes({ ...base, dimension: 40 }), /raise dimension/);
  assert.throws(() => checkShapes({ ...base, underDimension: 60 }), /under-parameterised control/);
  assert.throws(
    () => checkShapes({ ...base, mnistClients: 10, mnistSamplesPerClient: 100 }),
    /784 pixels/,
  );
  assert.equal(configSchema.safeParse({ stepFactor: 2 }).success, false);
  assert.equal(configSchema.safeParse({ localSteps: [0] }).success, false);
});

test("fine-tuning: Local-GD with L = 1 is centralised GD; more local steps drift under label skew", async () => {
  const rng = new Rng(8);
  const hidden = 6;
  const clients = [0, 1, 2].map((k) => {
    const x: Matrix = { data: rng.normals(12 * (hidden + 1)), rows: 12, cols: hidden + 1 };
    return { x, labels: Int32Array.from({ length: 12 }, (_, i) => (k + (i % 2)) % 3) };
  });
  const data = {
    mlp: {
      inputs: 0,
      hidden,
      classes: 3,
      w1: new Float64Array(0),
      b1: new Float64Array(0),
      head: rng.normals(3 * (hidden + 1), 0.1),
    },
    clients,
    test: clients[0],
  };
  const { rows } = await finetuneExperiment(
    data,
    { localSteps: [1, 20], rounds: 15, l2: 1e-3, stepFactor: 1, weighting: "uniform" },
    sinks(),
  );
  const [central1, local1, central20, local20] = rows;
  assert.equal(central1.gradientSteps, 15);
  assert.equal(local20.gradientSteps, 300);
  assert.ok(local1.relDistanceToCentralized < 1e-12, JSON.stringify(local1));
  assert.ok(local20.relDistanceToCentralized > 1e-3, JSON.stringify(local20));
  assert.equal(central20.relDistanceToCentralized, 0);
});
