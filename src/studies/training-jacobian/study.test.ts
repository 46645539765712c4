import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../../core/errors.js";
import { Rng } from "../../core/rng.js";
import { parseConfig } from "../../core/run-folder.js";
import type { MetricRecord, StudyContext } from "../../core/study.js";
import { study } from "./index.js";

function context(metrics: MetricRecord[]): StudyContext {
  return {
    seed: 0,
    rng: new Rng(0),
    progress: () => {},
    metric: (record) => metrics.push(record),
    artifact: () => "",
    outDir: "",
  };
}

test("quick scale: three non-empty regions, aligned bulk, bulk invisible in distribution only", async () => {
  const config = parseConfig(study, "quick", { shuffledLabels: false, spanDirections: 20 });
  const metrics: MetricRecord[] = [];
  const summary = await study.run(config, context(metrics));

  // the --json fields the issue names
  for (const key of ["chaotic", "bulk", "stable", "thresholds", "min", "max"]) {
    assert.ok(key in summary.spectrum, `spectrum.${key}`);
  }
  assert.deepEqual(
    summary.perturbation.map((r) => r.region),
    ["chaotic", "bulk", "stable"],
  );
  assert.ok("observed" in summary.seedOverlap && "randomBaseline" in summary.seedOverlap);

  const { chaotic, bulk, stable } = summary.spectrum;
  assert.ok(chaotic > 0 && bulk > 0 && stable > 0, `regions ${chaotic}/${bulk}/${stable}`);
  assert.ok(summary.alignmentBulkMean > 0.9, `bulk alignment ${summary.alignmentBulkMean}`);
  const bulkRow = summary.perturbation.find((r) => r.region === "bulk")!;
  assert.ok(
    bulkRow.inDistChange < bulkRow.outOfDistChange,
    `bulk KL in ${bulkRow.inDistChange} vs out ${bulkRow.outOfDistChange}`,
  );
  assert.ok(summary.seedOverlap.observed > summary.seedOverlap.randomBaseline);
  assert.ok(summary.precision.finiteDifferenceRelativeError! < 1e-6);
  assert.ok(summary.precision.jvpAgainstSvdMaxError < 1e-10);
  // matrix-free Lanczos (JVP + VJP through training) finds the top singular value
  const lanczos = summary.matrixFree!;
  assert.ok(
    Math.abs(lanczos.top[0] - lanczos.denseTop[0]) < 1e-8 * lanczos.denseTop[0],
    `Lanczos ${lanczos.top[0]} vs dense ${lanczos.denseTop[0]}`,
  );

  const report = study.report(summary, metrics, config);
  const titles = report.sections.map((s) => s.title);
  assert.ok(titles.some((t) => t.includes("spectrum")));
  assert.ok(report.sections.every((s) => (s.figures ?? []).every((f) => f.spec)));
});

test("bad settings are usage errors naming the field", () => {
  assert.throws(
    () => parseConfig(study, "quick", { stableBelow: 1.5 }),
    (e: unknown) => e instanceof UsageError && /stableBelow/.test(e.message),
  );
  assert.throws(
    () => parseConfig(study, "quick", { batchSize: 500, trainSize: 100 }),
    (e: unknown) => e instanceof UsageError && /batchSize/.test(e.message),
  );
  assert.throws(
    () => parseConfig(study, "quick", { width: 0 }),
    (e: unknown) => e instanceof UsageError && /width/.test(e.message),
  );
});
