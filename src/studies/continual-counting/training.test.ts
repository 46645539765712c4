// Per-example clipped gradients by vmap over grad against the closed form, and
// a short private run that learns.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadMnist } from "../../core/data/mnist.js";
import { Rng } from "../../core/rng.js";
import { SeededSource } from "./noise.js";
import { accuracy, clippedSum, clippedSumClosedForm, trainPrivately } from "./training.js";

test("vmap(grad) clipped gradient sums equal the closed form (float32 tolerance)", () => {
  const { train } = loadMnist({ seed: 1, train: 40, test: 10 });
  const rng = new Rng(4);
  const theta = Float64Array.from({ length: 7850 }, () => 0.05 * rng.normal());
  for (const clip of [0.1, 1, 100]) {
    const fromVmap = clippedSum(
      theta,
      train.images.subarray(0, 784 * 32),
      train.labels.subarray(0, 32),
      clip,
    );
    const closed = clippedSumClosedForm(
      theta,
      train.images.subarray(0, 784 * 32),
      train.labels.subarray(0, 32),
      clip,
    );
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < closed.length; i++) {
      worst = Math.max(worst, Math.abs(fromVmap[i] - closed[i]));
      scale = Math.max(scale, Math.abs(closed[i]));
    }
    assert.ok(scale > 0);
    assert.ok(
      worst < 1e-5 * Math.max(1, scale),
      `clip ${clip}: max difference ${worst} (scale ${scale})`,
    );
  }
});

test("one private pass (binned, sigma = 0.5) beats chance and every clipped example counts", () => {
  const { train, test: held } = loadMnist({ seed: 2, train: 600, test: 300 });
  const result = trainPrivately(train, held, {
    mechanism: "binned",
    noiseMultiplier: 0.5,
    batchSize: 30,
    clip: 1,
    learningRate: 2,
    random: new SeededSource(new Rng(8)),
    binning: { d: 4 },
  });
  assert.equal(result.steps, 20);
  assert.ok(result.accuracy > 0.5, `accuracy ${result.accuracy}`);
  assert.ok(result.noiseMemoryFloats > 0 && result.noiseMemoryFloats <= 8 * 7850);
  assert.equal(accuracy(new Float64Array(7850), held) < 0.2, true);
});
