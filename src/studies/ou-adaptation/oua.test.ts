import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/rng.js";
import {
  type Environment,
  matchedLearningRate,
  runGradient,
  runOua,
  runPerturbation,
} from "./oua.js";
import { singleTask, sixInputsTask } from "./tasks.js";

/** A reward that never changes: rbar = r, so mu stays put and theta is a pure OU process. */
const flat: Environment = {
  step: () => -1,
  stepWithGradient: (_theta, _dt, gradient) => {
    gradient.fill(0);
    return -1;
  },
  clone: () => flat,
};

test("with a constant reward, theta is OU around mu: stationary mean and variance", () => {
  const lambda = 2;
  const sigma = 0.5;
  const dt = 0.05;
  const mu0 = 0.7;
  const p = 200;
  const rng = new Rng(42);
  for (let run = 0; run < 20; run++) {
    const result = runOua(
      flat,
      new Float64Array(p).fill(mu0),
      { rho: 1, lambda, eta: 1, sigma, dt },
      rng.fork(run),
      {
        evaluations: 200,
        recordEvery: 0,
      },
    );
    for (const v of result.params)
      assert.equal(v, mu0, "mu does not move without a reward-prediction error");
  }
  // Theta itself: simulate the same Euler-Maruyama recursion the rule uses.
  const noise = new Rng(7);
  let theta = mu0;
  let sum = 0;
  let sumSq = 0;
  const steps = 400000;
  for (let k = 0; k < steps + 1000; k++) {
    theta += -lambda * (theta - mu0) * dt + sigma * Math.sqrt(dt) * noise.normal();
    if (k >= 1000) {
      sum += theta;
      sumSq += theta * theta;
    }
  }
  const mean = sum / steps;
  const variance = sumSq / steps - mean * mean;
  const continuous = (sigma * sigma) / (2 * lambda);
  const euler = (sigma * sigma) / (lambda * (2 - lambda * dt));
  // Correlation time 1/lambda: about steps dt lambda / 2 = 20000 effective samples.
  assert.ok(Math.abs(mean - mu0) < 4 * Math.sqrt(continuous / 20000), `mean ${mean}`);
  assert.ok(
    Math.abs(variance / euler - 1) < 0.04,
    `variance ${variance}, Euler-Maruyama theory ${euler}`,
  );
  assert.ok(Math.abs(variance / continuous - 1) < 0.1, `continuous-time theory ${continuous}`);
});

test("the rule's own theta has the OU stationary spread around a fixed mu", () => {
  // Recover theta - mu from the rule through a 1-parameter environment that records theta.
  const seen: number[] = [];
  const recorder: Environment = {
    step: (theta) => {
      seen.push(theta[0]);
      return 0;
    },
    stepWithGradient: () => 0,
    clone: () => recorder,
  };
  const lambda = 1;
  const sigma = 0.3;
  const dt = 0.05;
  runOua(recorder, Float64Array.of(-0.2), { rho: 1, lambda, eta: 3, sigma, dt }, new Rng(5), {
    evaluations: 300000,
  });
  const tail = seen.slice(2000);
  const mean = tail.reduce((a, b) => a + b, 0) / tail.length;
  const variance = tail.reduce((a, b) => a + (b - mean) ** 2, 0) / tail.length;
  assert.ok(Math.abs(mean + 0.2) < 0.02, `mean ${mean}`);
  const theory = (sigma * sigma) / (lambda * (2 - lambda * dt));
  assert.ok(Math.abs(variance / theory - 1) < 0.06, `variance ${variance} vs ${theory}`);
});

test("OUA lowers the loss of the single-parameter regression from a fixed seed", () => {
  const task = singleTask();
  const settings = { ...task.settings, dt: 0.05 };
  const result = runOua(task.environment(new Rng(1)), task.initial, settings, new Rng(3), {
    evaluations: 10000,
  });
  const before = task.loss(task.initial);
  const after = task.loss(result.params);
  assert.ok(after < 0.02 * before, `loss ${before} -> ${after}`);
  assert.ok(Math.abs(result.params[0] - 1) < 0.2, `mu ${result.params[0]} near theta* = 1`);
  assert.equal(result.evaluations, 10000);
});

test("GD and weight perturbation at the matched rate learn the six-input task", () => {
  const task = sixInputsTask();
  const settings = { ...task.settings, dt: 0.05 };
  const lr = matchedLearningRate(settings);
  assert.ok(Math.abs(lr - (0.2 * 0.04) / 2) < 1e-15);
  const gd = runGradient(task.environment(new Rng(2)), task.initial, lr, 0.05, {
    evaluations: 40000,
  });
  const wp = runPerturbation(
    task.environment(new Rng(2)),
    task.initial,
    lr,
    0.14,
    0.05,
    1,
    new Rng(4),
    {
      evaluations: 40000,
    },
  );
  assert.equal(wp.evaluations, 40000);
  assert.ok(task.loss(gd.params) < 0.01 * task.loss(task.initial));
  assert.ok(task.loss(wp.params) < 0.05 * task.loss(task.initial));
});

// Averaging the rule: with r = g theta, E[(r - rbar)(theta - mu)] = g Var(x) (1 - rho/(rho + lambda)),
// because rbar low-passes the same OU noise x = theta - mu (correlation time 1/lambda).
// So the mean drifts at g eta sigma^2 / (2 lambda) times lambda / (lambda + rho): the
// "matched" rate eta sigma^2 / (2 lambda) holds for rho << lambda only.
test("averaged over seeds, mu drifts at eta sigma^2 / (2 lambda) x lambda / (lambda + rho)", () => {
  const g = 0.5;
  const linear: Environment = {
    step: (theta) => g * theta[0],
    stepWithGradient: (theta, _dt, gradient) => {
      gradient[0] = g;
      return g * theta[0];
    },
    clone: () => linear,
  };
  for (const rho of [1, 3]) {
    const settings = { rho, lambda: 1, eta: 10, sigma: 0.1, dt: 0.05 };
    const seeds = 400;
    const rng = new Rng(5);
    let early = 0;
    let late = 0;
    for (let seed = 0; seed < seeds; seed++) {
      // mu at t = 5 (after the start-up transient) and at t = 25
      const run = runOua(linear, Float64Array.of(0), settings, rng.fork(seed), {
        evaluations: 500,
        recordEvery: 100,
      });
      early += run.curve[1].params[0] / seeds;
      late += run.curve[run.curve.length - 1].params[0] / seeds;
    }
    const drift = (late - early) / 20;
    const predicted = g * matchedLearningRate(settings) * (1 / (1 + rho));
    assert.ok(
      Math.abs(drift / predicted - 1) < 0.12,
      `rho ${rho}: drift ${drift}, predicted ${predicted}`,
    );
  }
});
