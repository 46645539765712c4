import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/rng.js";
import { loadDigits, pickDigits } from "./digits.js";
import {
  jvpThroughTraining,
  propagateTangents,
  trainingJacobian,
  vjpThroughTraining,
} from "./jacobian.js";
import { initParams, type MlpShape } from "./mlp.js";
import { type TrainSetup, train } from "./training.js";

const digits = loadDigits();
const shape: MlpShape = { inputs: 64, width: 3, classes: 10 };

function tinySetup(epochs: number): TrainSetup {
  const rows = Array.from({ length: 96 }, (_, i) => i);
  return {
    shape,
    train: pickDigits(digits.train, rows),
    batchSize: 32,
    epochs,
    learningRate: 0.1,
    momentum: 0.9,
  };
}

test("digits split has 1600/197 rows, features in [0, 1], all ten classes", () => {
  assert.equal(digits.train.count, 1600);
  assert.equal(digits.test.count, 197);
  assert.ok(digits.train.images.every((x) => x >= 0 && x <= 1));
  assert.equal(new Set(digits.train.labels).size, 10);
});

test("the dense training Jacobian matches central differences of the whole run to 1e-7", () => {
  const setup = tinySetup(4);
  const theta0 = initParams(shape, new Rng(5));
  const trajectory = train(theta0, setup, { keepTrajectory: true });
  const { jacobian } = trainingJacobian(trajectory, { chunk: 50 });
  const p = theta0.length;
  const h = 1e-5;
  let maxErr = 0;
  let maxEntry = 0;
  for (let c = 0; c < p; c += 3) {
    const up = Float64Array.from(theta0);
    const down = Float64Array.from(theta0);
    up[c] += h;
    down[c] -= h;
    const fUp = train(up, setup).final;
    const fDown = train(down, setup).final;
    for (let r = 0; r < p; r++) {
      const fd = (fUp[r] - fDown[r]) / (2 * h);
      maxErr = Math.max(maxErr, Math.abs(fd - jacobian.data[c * p + r]));
      maxEntry = Math.max(maxEntry, Math.abs(fd));
    }
  }
  assert.ok(maxEntry > 0.5, "the Jacobian is not trivially zero");
  assert.ok(maxErr < 1e-7, `max |J - FD| = ${maxErr}`);
});

test("Jacobian-vector products of a longer run match finite differences to 1e-6 (relative)", () => {
  const setup = tinySetup(20);
  const theta0 = initParams(shape, new Rng(6));
  const trajectory = train(theta0, setup, { keepTrajectory: true });
  const v = new Rng(8).normals(theta0.length);
  const jv = jvpThroughTraining(trajectory, v);
  const h = 1e-6;
  const fUp = train(
    theta0.map((x, i) => x + h * v[i]),
    setup,
  ).final;
  const fDown = train(
    theta0.map((x, i) => x - h * v[i]),
    setup,
  ).final;
  let err = 0;
  let norm = 0;
  for (let i = 0; i < jv.length; i++) {
    err = Math.max(err, Math.abs((fUp[i] - fDown[i]) / (2 * h) - jv[i]));
    norm = Math.max(norm, Math.abs(jv[i]));
  }
  assert.ok(err < 1e-6 * norm, `max error ${err} against max entry ${norm}`);
});

test("reverse mode agrees with forward mode: u^T (J v) = (J^T u)^T v, and J^T e_r is row r of J", () => {
  const setup = tinySetup(5);
  const theta0 = initParams(shape, new Rng(9));
  const trajectory = train(theta0, setup, { keepTrajectory: true });
  const p = theta0.length;
  const rng = new Rng(10);
  const u = rng.normals(p);
  const v = rng.normals(p);
  const jv = jvpThroughTraining(trajectory, v);
  const jtu = vjpThroughTraining(trajectory, u);
  let a = 0;
  let b = 0;
  for (let i = 0; i < p; i++) {
    a += u[i] * jv[i];
    b += jtu[i] * v[i];
  }
  assert.ok(Math.abs(a - b) < 1e-11 * Math.abs(a), `${a} vs ${b}`);

  const { jacobian } = trainingJacobian(trajectory, { chunk: 64 });
  for (const r of [0, 17, 200, p - 1]) {
    const e = new Float64Array(p);
    e[r] = 1;
    const row = vjpThroughTraining(trajectory, e);
    for (let c = 0; c < p; c++) {
      assert.ok(Math.abs(row[c] - jacobian.data[c * p + r]) < 1e-12, `entry (${r}, ${c})`);
    }
  }
});

test("checkpoint Jacobians equal the Jacobian of the first steps, and chunking does not matter", () => {
  const setup = tinySetup(3);
  const theta0 = initParams(shape, new Rng(12));
  const trajectory = train(theta0, setup, { keepTrajectory: true });
  const p = theta0.length;
  const { jacobian, atCheckpoints } = trainingJacobian(trajectory, { chunk: 40, checkpoints: [4] });
  const whole = trainingJacobian(trajectory, { chunk: p });
  assert.deepEqual(whole.jacobian.data, jacobian.data);
  const c = 33;
  const col = new Float64Array(p);
  col[c] = 1;
  propagateTangents(trajectory, col, 1, { steps: 4 });
  const snapshot = atCheckpoints.get(4)!;
  for (let r = 0; r < p; r++) assert.equal(snapshot.data[c * p + r], col[r]);
});
