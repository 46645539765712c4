// The study object: a tiny configuration runs end to end and returns the
// summary fields the issue names, with the report's sections.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/rng.js";
import type { MetricRecord } from "../../core/study.js";
import { study } from "./index.js";

test("a tiny run returns spaceTable and training rows, equal to the paper where it has values", async () => {
  const config = study.config.parse({
    space: { nMin: 10, nMax: 60, stride: 1 },
    curves: { n: [40], d: [2, 4], workloads: [{ alpha: 1, beta: 0 }] },
    training: { train: 200, test: 100, batchSize: 20, epsilons: [8], noiseSource: "seeded" },
  });
  const metrics: MetricRecord[] = [];
  const summary = await study.run(config, {
    seed: 0,
    rng: new Rng(0),
    progress: () => {},
    metric: (record) => metrics.push(record),
    artifact: () => "",
    outDir: "",
  });
  assert.ok(summary.spaceTable.length > 0);
  for (const row of summary.spaceTable) {
    assert.deepEqual(Object.keys(row).slice(0, 3), ["n", "factor", "metric"]);
    assert.ok(typeof row.space === "number");
  }
  assert.equal(summary.paperComparison.equal, summary.paperComparison.compared);
  assert.ok(summary.paperComparison.compared >= 8 * 15);
  const mechanisms = summary.training.map((row) => row.mechanism);
  assert.deepEqual(mechanisms, ["none", "independent", "tree", "tree-honaker", "sqrt", "binned"]);
  for (const row of summary.training) {
    assert.ok(row.accuracy >= 0 && row.accuracy <= 1);
    assert.ok(Number.isInteger(row.noiseMemoryFloats));
  }
  const sqrtRow = summary.training.find((row) => row.mechanism === "sqrt");
  assert.equal(sqrtRow?.noiseMemoryFloats, 10 * 7850, "sqrt holds all n = 10 noise vectors");
  const report = study.report(summary, metrics, config);
  assert.equal(report.sections.length, 3);
  assert.ok((report.sections[0].figures ?? []).length === 2);
});
