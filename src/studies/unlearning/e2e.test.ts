import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/rng.js";
import type { MetricRecord } from "../../core/study.js";
import { ATTACKS } from "./attacks.js";
import { CANARY_KINDS } from "./canaries.js";
import { configSchema } from "./config.js";
import { study } from "./index.js";

test("a tiny end-to-end audit: every attack x canary cell for each method, consistent ratios", async () => {
  const config = configSchema.parse({
    ...study.presets.quick,
    canarySize: 10,
    splitSize: 30,
    trainSteps: 15,
    unlearnSteps: 2,
    // two methods keep the compile time down; unlearn.test.ts covers all seven
    methods: ["ga", "euk"],
  });
  const methods = ["ga", "euk"];
  const metrics: MetricRecord[] = [];
  const summary = await study.run(config, {
    seed: 1,
    rng: new Rng(1),
    outDir: "",
    progress: () => {},
    metric: (m) => metrics.push(m),
    artifact: () => "",
  });

  assert.equal(summary.cells.length, methods.length * ATTACKS.length * CANARY_KINDS.length);
  for (const cell of summary.cells) {
    assert.deepEqual(Object.keys(cell).sort(), [
      "attack",
      "auc",
      "aucRetrained",
      "canary",
      "leakage",
      "method",
    ]);
    assert.ok(cell.auc >= 0 && cell.auc <= 1 && cell.aucRetrained >= 0 && cell.aucRetrained <= 1);
    // one seed: the mean leakage is that seed's |AUC - AUC retrained|
    assert.ok(Math.abs(cell.leakage - Math.abs(cell.auc - cell.aucRetrained)) < 1e-12);
  }
  assert.equal(summary.minorityOverRandom.length, methods.length * ATTACKS.length);
  for (const r of summary.minorityOverRandom) {
    const leak = (canary: string) =>
      summary.cells.find(
        (c) => c.method === r.method && c.attack === r.attack && c.canary === canary,
      )?.leakage ?? Number.NaN;
    assert.deepEqual(Object.keys(r).sort(), ["attack", "method", "ratio"]);
    const expected = leak("minority") / leak("random");
    assert.ok(r.ratio === expected || (Number.isNaN(r.ratio) && Number.isNaN(expected)));
  }
  assert.equal(
    summary.minorityAtLeast1_2x.count,
    summary.minorityOverRandom.filter((r) => r.ratio >= 1.2).length,
  );
  // the retrained model is shared across methods: its AUC depends only on attack and canary
  for (const attack of ATTACKS) {
    for (const canary of CANARY_KINDS) {
      const refs = new Set(
        summary.cells
          .filter((c) => c.attack === attack && c.canary === canary)
          .map((c) => c.aucRetrained),
      );
      assert.equal(refs.size, 1);
    }
  }
  assert.ok(summary.pii.emails > 10000 && summary.pii.eligible > 1000);
  assert.ok(metrics.some((m) => m.kind === "train") && metrics.some((m) => m.kind === "cell"));
  const report = study.report(summary, metrics, config);
  assert.ok(report.sections.length >= 4);
});

test("the audit gives the same cells on two worker threads as in this thread", async () => {
  const config = (workers: number) =>
    configSchema.parse({
      ...study.presets.quick,
      canarySize: 8,
      splitSize: 24,
      trainSteps: 6,
      unlearnSteps: 2,
      methods: ["gd", "cfk"],
      workers,
    });
  const run = (workers: number) =>
    study.run(config(workers), {
      seed: 4,
      rng: new Rng(4),
      outDir: "",
      progress: () => {},
      metric: () => {},
      artifact: () => "",
    });
  const inline = await run(0);
  const threaded = await run(2);
  assert.deepEqual(threaded.cells, inline.cells);
  assert.deepEqual(threaded.utility, inline.utility);
});
