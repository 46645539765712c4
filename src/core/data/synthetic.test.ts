import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../rng.js";
import { separableClassification, sparseRegression } from "./synthetic.js";

test("sparse regression: y = X beta* exactly, support as asked, seeded", () => {
  const p = sparseRegression(20, 50, 3, new Rng(1));
  assert.equal([...p.betaStar].filter((v) => v === 1).length, 3);
  for (let i = 0; i < 20; i++) {
    let s = 0;
    for (let j = 0; j < 50; j++) s += p.x[i * 50 + j] * p.betaStar[j];
    assert.ok(Math.abs(s - p.y[i]) < 1e-12);
  }
  assert.deepEqual(sparseRegression(20, 50, 3, new Rng(1)).x, p.x);
  assert.throws(() => sparseRegression(5, 2, 3, new Rng(1)), /support 3 exceeds dimension 2/);
});

test("separable classification: every point is on its label's side with the margin", () => {
  const p = separableClassification(200, 10, 0.5, new Rng(2));
  for (let i = 0; i < 200; i++) {
    let s = 0;
    for (let j = 0; j < 10; j++) s += p.x[i * 10 + j] * p.direction[j];
    assert.ok(p.y[i] * s >= 0.5 - 1e-12, `point ${i}: y <w, x> = ${p.y[i] * s}`);
  }
  const positives = [...p.y].filter((v) => v > 0).length;
  assert.ok(positives > 60 && positives < 140);
});
