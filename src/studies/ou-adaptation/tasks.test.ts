import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/rng.js";
import {
  controlCost,
  controlTask,
  recurrentTask,
  singleTask,
  sixInputsTask,
  type Task,
} from "./tasks.js";

// The exact gradient reported at step k must equal the derivative of the
// reward at step k of a run with fixed parameters (central differences over
// the whole trajectory, which checks the forward sensitivities too).
function checkGradient(task: Task, theta: Float64Array, steps: number, tolerance: number) {
  const dt = 0.05;
  const rewardAt = (params: Float64Array) => {
    const env = task.environment(new Rng(9));
    let r = 0;
    for (let k = 0; k <= steps; k++) r = env.step(params, dt);
    return r;
  };
  const env = task.environment(new Rng(9));
  const gradient = new Float64Array(theta.length);
  for (let k = 0; k <= steps; k++) env.stepWithGradient(theta, dt, gradient);
  const h = 1e-6;
  for (let j = 0; j < theta.length; j++) {
    const up = Float64Array.from(theta);
    const down = Float64Array.from(theta);
    up[j] += h;
    down[j] -= h;
    const numeric = (rewardAt(up) - rewardAt(down)) / (2 * h);
    assert.ok(
      Math.abs(numeric - gradient[j]) < tolerance,
      `${task.name} param ${j}: ${numeric} vs ${gradient[j]}`,
    );
  }
}

test("exact gradients match finite differences on every task", () => {
  checkGradient(singleTask(), Float64Array.of(0.4), 37, 1e-8);
  checkGradient(sixInputsTask(), Float64Array.of(0.1, 0.2, 0.3, -0.1, 0.5, 0.2), 53, 1e-8);
  checkGradient(recurrentTask(), Float64Array.of(0.2, 0.5, 0.8), 400, 1e-7);
  checkGradient(controlTask(), Float64Array.of(-0.7, -1.2), 300, 1e-7);
});

test("double-integrator cost: LQR optimum (-1, -sqrt 3) with cost s^2 sqrt(3) / 2", () => {
  const s = 0.05;
  const best = controlCost(Float64Array.of(-1, -Math.sqrt(3)), s);
  assert.ok(Math.abs(best - (s * s * Math.sqrt(3)) / 2) < 1e-15);
  for (const [da, db] of [
    [0.05, 0],
    [-0.05, 0],
    [0, 0.05],
    [0, -0.05],
  ]) {
    assert.ok(controlCost(Float64Array.of(-1 + da, -Math.sqrt(3) + db), s) > best);
  }
  assert.equal(controlCost(Float64Array.of(0.1, -1), s), Number.POSITIVE_INFINITY);
});

test("double-integrator cost agrees with a long simulation of the policy", () => {
  const task = controlTask(0.5);
  const theta = Float64Array.of(-0.8, -1.5);
  const env = task.environment(new Rng(3));
  const dt = 0.01;
  let total = 0;
  const steps = 2000000;
  for (let k = 0; k < steps; k++) total -= env.step(theta, dt);
  const simulated = total / steps;
  const exact = controlCost(theta, 0.5);
  // Euler bias O(dt) plus sampling error over 20000 time units.
  assert.ok(Math.abs(simulated / exact - 1) < 0.06, `simulated ${simulated}, closed form ${exact}`);
});

test("the six-input loss is half the squared parameter error (time average)", () => {
  const task = sixInputsTask();
  const theta = Float64Array.of(0, 0, 0, 0, 0, 0);
  const env = task.environment(new Rng(1));
  let total = 0;
  const dt = 0.05;
  const steps = 400000;
  for (let k = 0; k < steps; k++) total -= env.step(theta, dt);
  assert.ok(Math.abs(total / steps / task.loss(theta) - 1) < 0.02);
});
