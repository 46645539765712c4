// Binned sqrt(A) (Andersson & Pagh, Algorithm 1) against the reference values,
// and R = L^{-1} A checked against a dense solve.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  binnedColumnNorms,
  binnedProfile,
  binnedRowNorms,
  binToeplitz,
  rowBins,
} from "./binning.js";
import { errorsOf } from "./errors.js";
import {
  prefixSquares,
  sqrtCoefficients,
  sqrtWorkloadCoefficients,
  workloadCoefficients,
} from "./toeplitz.js";

const reference = JSON.parse(
  readFileSync(
    new URL("../../../data/dp/continual_counting_reference.json", import.meta.url),
    "utf8",
  ),
);

function close(actual: number, expected: number, rel: number, label: string): void {
  const error = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(
    error <= rel,
    `${label}: ${actual} vs ${expected} (relative error ${error.toExponential(2)})`,
  );
}

test("binned space, MaxSE and MeanSE ratios match the reference for d = 2, 4, 8, 16", () => {
  for (const n of [256, 1024, 4096]) {
    const c = sqrtCoefficients(n);
    const sqrtRows = prefixSquares(c);
    const sqrt = errorsOf({ rowNorm2: sqrtRows, sens2: sqrtRows[n - 1] });
    const ones = workloadCoefficients(n, { alpha: 1, beta: 0 });
    for (const row of reference.n_values[n].binned_sqrt_factorization) {
      const matrix = binToeplitz(c, 1 - 1 / row.d, 1 / n);
      assert.equal(matrix.space, row.space, `space n=${n} d=${row.d}`);
      const errors = errorsOf(binnedProfile(matrix, ones));
      close(errors.maxSe, row.maxse, 1e-9, `maxse n=${n} d=${row.d}`);
      close(errors.meanSe, row.meanse, 1e-9, `meanse n=${n} d=${row.d}`);
      close(
        errors.maxSe / sqrt.maxSe,
        row.maxse_ratio_vs_sqrt,
        1e-9,
        `max ratio n=${n} d=${row.d}`,
      );
      close(
        errors.meanSe / sqrt.meanSe,
        row.meanse_ratio_vs_sqrt,
        1e-9,
        `mean ratio n=${n} d=${row.d}`,
      );
    }
  }
});

test("last-row bin boundaries at n = 256, d = 4", () => {
  const fixture = reference.n_values[256].binned_example_last_row_intervals_d4;
  const matrix = binToeplitz(sqrtCoefficients(256), fixture.c, fixture.tau);
  assert.equal(matrix.space, fixture.space);
  const bins = rowBins(matrix, 255).reverse();
  assert.deepEqual(bins, fixture.intervals_0_based_inclusive_in_column_order);
  // Each bin's value is the mean of the unbinned row's entries at its two ends.
  const c = sqrtCoefficients(256);
  const first = matrix.rowStart[255];
  rowBins(matrix, 255).forEach(([start, end], b) => {
    close(matrix.values[first + b], 0.5 * (c[255 - start] + c[255 - end]), 1e-15, `bin ${b}`);
  });
});

test("bins only merge: every row's partition coarsens the previous row's plus the diagonal", () => {
  const matrix = binToeplitz(
    sqrtWorkloadCoefficients(300, { alpha: 0.99, beta: 0.95 }),
    0.8,
    1 / 300,
  );
  for (let i = 1; i < matrix.n; i++) {
    const previous = new Set(rowBins(matrix, i - 1).map(([start]) => start));
    previous.add(i);
    const bins = rowBins(matrix, i);
    assert.deepEqual(bins[0], [i, i]);
    let covered = i + 1;
    for (const [start, end] of bins) {
      assert.equal(end, covered - 1, `row ${i}: bins are contiguous`);
      assert.ok(previous.has(start), `row ${i}: bin start ${start} was a start before`);
      covered = start;
    }
    assert.equal(covered, 0);
  }
});

test("R = L^{-1} A column norms equal a dense forward substitution (counting and momentum)", () => {
  const n = 60;
  for (const workload of [
    { alpha: 1, beta: 0 },
    { alpha: 0.99, beta: 0.9 },
  ]) {
    const matrix = binToeplitz(sqrtWorkloadCoefficients(n, workload), 0.7, 1 / n);
    const L = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let b = matrix.rowStart[i]; b < matrix.rowStart[i + 1]; b++) {
        for (let j = matrix.binStart[b]; j <= matrix.binEnd[b]; j++)
          L[i * n + j] = matrix.values[b];
      }
    }
    const a = workloadCoefficients(n, workload);
    const norms = binnedColumnNorms(matrix, a);
    for (let j = 0; j < n; j++) {
      // Solve L y = A e_j densely.
      const y = new Float64Array(n);
      let norm = 0;
      for (let i = 0; i < n; i++) {
        let sum = i >= j ? a[i - j] : 0;
        for (let k = 0; k < i; k++) sum -= L[i * n + k] * y[k];
        y[i] = sum / L[i * n + i];
        norm += y[i] * y[i];
      }
      close(norms[j], norm, 1e-11, `column ${j}`);
    }
    const rows = binnedRowNorms(matrix);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let k = 0; k <= i; k++) sum += L[i * n + k] ** 2;
      close(rows[i], sum, 1e-13, `row ${i}`);
    }
  }
});
