// The Eterna100 data and the benchmark summary (hand-computed means).
import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../../core/errors.js";
import {
  loadPaperResults,
  loadPuzzles,
  type PuzzleRow,
  selectPuzzles,
  summarise,
} from "./eterna.js";
import { parseStructure } from "./sequence.js";

test("Eterna100 V1 and V2: 100 valid targets each, 19 differ", () => {
  const v1 = loadPuzzles("v1");
  const v2 = loadPuzzles("v2");
  assert.equal(v1.length, 100);
  assert.equal(v2.length, 100);
  for (const p of [...v1, ...v2]) parseStructure(p.structure);
  const differ = v1.filter((p, k) => p.structure !== v2[k].structure).map((p) => p.id);
  assert.deepEqual(
    differ,
    [50, 52, 57, 60, 61, 67, 78, 80, 81, 86, 87, 88, 90, 91, 92, 96, 97, 99, 100],
  );
  assert.equal(selectPuzzles(v1, [8])[0].structure, "((((...)))).");
  assert.throws(() => selectPuzzles(v1, [101]), UsageError);
});

test("the paper's per-puzzle results are read", () => {
  const paper = loadPaperResults();
  assert.equal(paper.size, 100);
  assert.equal(paper.get(8)?.samplingDesign.probability, 0.9838273716);
  assert.equal(paper.get(8)?.samplingDesign.mfeSolved, true);
});

test("summary: arithmetic and geometric means, solved counts", () => {
  const row = (
    id: number,
    probability: number,
    ned: number,
    isMfe: boolean,
    isUniqueMfe: boolean,
  ): PuzzleRow => ({
    id,
    length: 10,
    sequence: "",
    probability,
    ned,
    energyGap: 0,
    isMfe,
    isUniqueMfe,
    seconds: 2,
    foundBy: "targeted",
    evaluations: 1,
  });
  const s = summarise([row(8, 0.5, 0.1, true, true), row(1, 0.125, 0.3, true, false)], "v1");
  assert.equal(s.arithmeticMeanProbability, 0.3125);
  assert.ok(Math.abs(s.geometricMeanProbability - 0.25) < 1e-15);
  assert.ok(Math.abs(s.meanNed - 0.2) < 1e-15);
  assert.equal(s.mfeSolved, 2);
  assert.equal(s.umfeSolved, 1);
  assert.equal(s.meanSeconds, 2);
});
