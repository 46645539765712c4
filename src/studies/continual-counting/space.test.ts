// The space study against the authors' published figure data (github
// jodander/streaming-via-binning, plot_data/ at commit b2f785d6, MIT licence).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { paperGrid, smallestSpaces, sweepPoints } from "./space.js";

const paper = JSON.parse(
  readFileSync(new URL("../../../data/dp/paper_space_vs_n.json", import.meta.url), "utf8"),
) as { factors: number[]; meanse: Record<string, number[]>; maxse: Record<string, number[]> };

test("the n grid is the paper's (n <- ceil(1.1 n))", () => {
  const grid = paperGrid(2, 10000);
  assert.deepEqual(grid.map(String), Object.keys(paper.maxse));
});

test("smallest spaces at n = 251 and 544 equal the paper's Fig. 3a/b data", () => {
  for (const n of [251, 544]) {
    for (const row of smallestSpaces(n, paper.factors)) {
      const expected = paper[row.metric][String(n)][paper.factors.indexOf(row.factor)];
      assert.equal(row.space, expected, `n=${n} ${row.metric} <= ${row.factor}x`);
    }
  }
});

test("momentum workload (alpha 0.99, beta 0.95, n = 1000): space and MeanSE ratio equal Fig. 5's data", () => {
  // d, space, MeanSE ratio from plot_data/mean_mult_vs_space_Rendpoints_mean_a0.99b0.95n1000.csv.
  const published: [number, number, number][] = [
    [1.5, 8, 1.9038296857706325],
    [2, 10, 1.3804284440037282],
    [4, 20, 1.0630756235925274],
    [8, 37, 1.0134197436867085],
    [16, 76, 1.002813283249813],
  ];
  const points = sweepPoints(
    1000,
    { alpha: 0.99, beta: 0.95 },
    published.map(([d]) => d),
  );
  points.forEach((point, i) => {
    assert.equal(point.space, published[i][1], `d=${point.d}`);
    assert.ok(
      Math.abs(point.meanRatio / published[i][2] - 1) < 1e-9,
      `d=${point.d}: ${point.meanRatio}`,
    );
  });
});
