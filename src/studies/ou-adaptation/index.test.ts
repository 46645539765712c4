import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../../core/errors.js";
import { Rng } from "../../core/rng.js";
import { parseConfig } from "../../core/run-folder.js";
import type { MetricRecord, StudyContext } from "../../core/study.js";
import { study } from "./index.js";

test("a short run returns runs rows with task, method, finalLoss and evaluations", async () => {
  const metrics: MetricRecord[] = [];
  const ctx: StudyContext = {
    seed: 1,
    rng: new Rng(1),
    progress: () => {},
    metric: (record) => metrics.push(record),
    artifact: () => "",
    outDir: "",
  };
  const config = parseConfig(study, "quick", {
    tasks: ["single", "six-inputs"],
    seeds: 2,
    horizonScale: 0.2,
    wallTime: false,
    sweepPoints: 3,
    sweepHorizon: 20,
    metaHorizon: 100,
    flipEvery: 50,
  });
  const summary = await study.run(config, ctx);
  assert.equal(summary.runs.length, 6);
  for (const row of summary.runs) {
    assert.ok(["oua", "gd", "perturbation"].includes(row.method));
    assert.ok(row.finalLoss !== null && row.finalLoss >= 0);
    assert.equal(row.evaluations, row.task === "single" ? 4000 : 8000);
  }
  const single = summary.runs.filter((r) => r.task === "single");
  const initial = 0.33; // loss of theta = 0 on the single-parameter task
  for (const row of single)
    assert.ok(row.finalLoss! < initial / 10, `${row.method} ${row.finalLoss}`);
  assert.equal(summary.sensitivity.length, 12);
  assert.ok(metrics.some((m) => m.kind === "curve"));
  assert.equal(study.report(summary, metrics, config).sections.length, 3);
});

test("bad settings are usage errors", () => {
  assert.throws(() => parseConfig(study, "quick", { tasks: ["weather"] }), UsageError);
  assert.throws(() => parseConfig(study, "quick", { dt: 0 }), UsageError);
  assert.throws(() => parseConfig(study, "quick", { seeds: 0 }), UsageError);
});
