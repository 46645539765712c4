// Design: the REINFORCE estimator against the exact gradient, the baseline's variance, worker
// scoring against in-thread scoring, and a short puzzle solved end to end.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/rng.js";
import { baselineVariance, design, reinforceGradient, variablesOf } from "./design.js";
import { analyseTarget, defaultModel } from "./fold.js";
import { ScorePool, scoreHere } from "./score-pool.js";
import { encodeSequence, parseStructure } from "./sequence.js";

test("REINFORCE with and without baseline averages to the exact gradient of E[f]", () => {
  // two categorical variables of sizes 3 and 2 with fixed probabilities; f(a, b) = table
  const v = { offset: Int32Array.from([0, 3]), size: Int32Array.from([3, 2]) };
  const probs = Float64Array.from([0.5, 0.3, 0.2, 0.6, 0.4]);
  const f = (a: number, b: number) => [1.0, -2.0, 0.5][a] * (b === 0 ? 1 : 3) + a;
  // exact: d E[f] / d logit_k = sum_x p(x) f(x) (onehot_k(x) - p_k)
  const exact = new Float64Array(5);
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 2; b++) {
      const px = probs[a] * probs[3 + b];
      for (let k = 0; k < 3; k++) exact[k] += px * f(a, b) * ((k === a ? 1 : 0) - probs[k]);
      for (let k = 0; k < 2; k++) exact[3 + k] += px * f(a, b) * ((k === b ? 1 : 0) - probs[3 + k]);
    }
  }
  const rng = new Rng(7);
  for (const baseline of [false, true]) {
    const mean = new Float64Array(5);
    const batches = 20000;
    for (let t = 0; t < batches; t++) {
      const choices: Int32Array[] = [];
      const scores: number[] = [];
      for (let s = 0; s < 8; s++) {
        const a = rng.categorical(probs.subarray(0, 3));
        const b = rng.categorical(probs.subarray(3, 5));
        choices.push(Int32Array.from([a, b]));
        scores.push(f(a, b));
      }
      const g = reinforceGradient(probs, choices, scores, v, baseline);
      for (let k = 0; k < 5; k++) mean[k] += g[k] / batches;
    }
    for (let k = 0; k < 5; k++)
      assert.ok(Math.abs(mean[k] - exact[k]) < 0.03, `k=${k} baseline=${baseline}`);
  }
});

test("equal scores give a zero gradient with the baseline", () => {
  const v = { offset: Int32Array.from([0]), size: Int32Array.from([4]) };
  const probs = Float64Array.from([0.25, 0.25, 0.25, 0.25]);
  const g = reinforceGradient(probs, [Int32Array.of(0), Int32Array.of(3)], [2.5, 2.5], v, true);
  assert.deepEqual([...g], [0, 0, 0, 0]);
});

test("the baseline lowers the gradient variance on a 30-nt puzzle", () => {
  const target = "(((((.....))..((.........)))))";
  const v = baselineVariance(target, "uniform", 16, 30, new Rng(3));
  assert.ok(v.withBaseline < v.withoutBaseline, JSON.stringify(v));
});

test("worker threads score exactly as the calling thread", async () => {
  const target = "((((((.((((....))))))).)))..........";
  // valid random sequences for the target: pairs from the six, unpaired bases at random
  const pt = parseStructure(target);
  const rng = new Rng(11);
  const seqs = Array.from({ length: 5 }, () => {
    const chars: string[] = [];
    for (let i = 0; i < pt.length; i++) {
      if (pt[i] < 0) chars[i] = "ACGU"[rng.int(4)];
      else if (pt[i] > i) {
        const pair = ["CG", "GC", "GU", "UG", "AU", "UA"][rng.int(6)];
        chars[i] = pair[0];
        chars[pt[i]] = pair[1];
      }
    }
    return chars.join("");
  });
  const pool = new ScorePool(2);
  try {
    for (const objective of ["prob", "ned", "gap"] as const) {
      const here = scoreHere(seqs, target, objective);
      const there = await pool.score(seqs, target, objective);
      assert.deepEqual(there, here);
    }
  } finally {
    await pool.close();
  }
});

test("design solves Eterna100 V1 puzzle 8 as the unique MFE within seconds", async () => {
  const target = "((((...)))).";
  const result = await design(target, { budgetSeconds: 5 }, new Rng(1));
  const report = analyseTarget(
    defaultModel(),
    encodeSequence(result.sequence),
    parseStructure(target),
  );
  assert.ok(report.isUniqueMfe);
  // the paper's best p for this puzzle is 0.9838
  assert.ok(report.probability > 0.98, String(report.probability));
  assert.ok(Math.abs(Math.exp(-result.score) - report.probability) < 1e-12);
  assert.ok(result.trajectory.length > 0 && result.evaluations > 0);
});

test("mismatch coupling joins the unpaired bases flanking a pair into 16-way variables", () => {
  // pairs (1,8) and (2,7); inside (3,6) flank pair (2,7); outside (0,9) flank pair (1,8)
  const pt = parseStructure(".((....)).");
  const pairs = variablesOf(pt, "pairs");
  assert.deepEqual([...pairs.size].sort(), [4, 4, 4, 4, 4, 4, 6, 6]);
  const coupled = variablesOf(pt, "mismatch");
  assert.deepEqual([...coupled.size], [6, 6, 16, 16, 4, 4]);
  assert.deepEqual([...coupled.first], [1, 2, 0, 3, 4, 5]);
  assert.deepEqual([...coupled.second], [8, 7, 9, 6, -1, -1]);
  assert.equal(coupled.count, 6 + 6 + 16 + 16 + 4 + 4);
});
