import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/rng.js";
import { attackScore, meanLoss, minKMean, rocAuc, tprAtFpr, zlibBytes } from "./attacks.js";
import { initFlat, VOCAB } from "./model.js";
import { encode, makeScorer, rowLogProbs } from "./train.js";

test("LOSS, Zlib and Min-K% scores on hand-computed log-probabilities", () => {
  const lp = [-1, -2, -3, -4, -5, -6, -7, -8, -9, -10];
  assert.equal(meanLoss(lp), 5.5);
  assert.equal(attackScore("loss", lp, "x"), -5.5);
  // 20% of 10 tokens: the two lowest, -10 and -9
  assert.equal(minKMean(lp, 0.2), -9.5);
  assert.equal(attackScore("mink", lp, "x"), -9.5);
  // at least one token even when 20% rounds to zero
  assert.equal(minKMean([-0.5, -3, -1], 0.2), -3);
  const text = "abcabcabcabcabcabcabcabcabcabcabcabc";
  const bytes = zlibBytes(text);
  // zlib: 2-byte header + a short deflate block + 4-byte Adler-32; far below the raw 36 bytes
  assert.ok(bytes > 6 && bytes < 20, `zlib length ${bytes}`);
  assert.equal(attackScore("zlib", lp, text), -5.5 / bytes);
});

test("attacks on a toy model whose weights are all zero: every byte has probability 1/257", () => {
  const shape = { seqLen: 12, width: 8, layers: 1, heads: 2 };
  const { layout } = initFlat(shape, new Rng(1));
  const zero = new Float32Array(layout.size);
  const texts = ["Hello there", "abc", "zzzzzzzzzzzz"];
  const data = encode(texts, shape.seqLen);
  const scorer = makeScorer(layout, 2);
  const all = scorer.tokenLogProbs(zero, data);
  scorer.dispose();
  const uniform = -Math.log(VOCAB);
  texts.forEach((text, row) => {
    const lp = rowLogProbs(all, data, row);
    assert.equal(lp.length, text.length);
    for (const v of lp) assert.ok(Math.abs(v - uniform) < 1e-5, `log-prob ${v}`);
    assert.ok(Math.abs(attackScore("loss", lp, text) - uniform) < 1e-5);
    assert.ok(Math.abs(attackScore("mink", lp, text) - uniform) < 1e-5);
    assert.ok(Math.abs(attackScore("zlib", lp, text) - uniform / zlibBytes(text)) < 1e-6);
  });
});

function bruteAuc(pos: number[], neg: number[]): number {
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

test("rocAuc equals the brute-force pair count, ties counted half", () => {
  const rng = new Rng(7);
  for (let trial = 0; trial < 20; trial++) {
    // scores on a coarse grid so ties are common
    const pos = Array.from({ length: 5 + rng.int(30) }, () => rng.int(8));
    const neg = Array.from({ length: 5 + rng.int(30) }, () => rng.int(8) - 1);
    assert.ok(Math.abs(rocAuc(pos, neg) - bruteAuc(pos, neg)) < 1e-12);
  }
  assert.equal(rocAuc([1, 2], [1, 2]), 0.5);
  assert.equal(rocAuc([3, 4], [1, 2]), 1);
  assert.equal(rocAuc([0], [1, 2]), 0);
});

test("tprAtFpr: the best threshold whose false-positive rate stays within the level", () => {
  const neg = Array.from({ length: 20 }, (_, i) => i); // 0..19
  // at 5% of 20 negatives one false positive is allowed: threshold 19
  assert.equal(tprAtFpr([19.5, 19, 18, 5], neg, 0.05), 0.5);
  // at 10%, two: threshold 18
  assert.equal(tprAtFpr([19.5, 19, 18, 5], neg, 0.1), 0.75);
  assert.equal(tprAtFpr([-1, -2], neg, 0.05), 0);
  assert.equal(tprAtFpr([30, 40], neg, 0), 1);
});
