import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../../core/errors.js";
import { Rng } from "../../core/rng.js";
import { parseConfig } from "../../core/run-folder.js";
import type { MetricRecord, StudyContext } from "../../core/study.js";
import { study } from "./index.js";

function context(metrics: MetricRecord[]): StudyContext {
  return {
    seed: 3,
    rng: new Rng(3),
    progress: () => {},
    metric: (record) => metrics.push(record),
    artifact: () => "",
    outDir: "",
  };
}

const tiny = {
  sizes: [30, 60],
  repeats: 1,
  datasets: ["uniform"],
  width: 64,
  testPoints: 50,
  stopSize: 40,
  stopHorizon: 2,
  widthSize: 30,
  widths: [16, 256],
};

test("a tiny run returns the --json fields the issue names", async () => {
  const metrics: MetricRecord[] = [];
  const config = parseConfig(study, "quick", tiny);
  const summary = await study.run(config, context(metrics));
  assert.equal(summary.rates.length, 4);
  for (const row of summary.rates) {
    assert.ok(["network", "ntk-gd", "krr", "eps2"].includes(row.method));
    assert.ok(Number.isFinite(row.slope) && Number.isFinite(row.intercept));
  }
  const s = summary.stopping;
  assert.ok(s.predictedStep >= 1 && s.bestStep >= 0);
  assert.ok(
    s.errorAtBest <= s.errorAtPredicted,
    "the oracle step is at least as good as the rule's",
  );
  assert.deepEqual(
    summary.widthAgreement.map((r) => r.width),
    [16, 256],
  );
  assert.ok(summary.widthAgreement[1].kernelDistance < summary.widthAgreement[0].kernelDistance);
  assert.ok(metrics.some((m) => m.kind === "rate") && metrics.some((m) => m.kind === "steps"));
  const report = study.report(summary, metrics, config);
  assert.equal(report.sections.length, 3);
});

test("bad settings are usage errors that name the fix", async () => {
  const run = (overrides: Record<string, unknown>) =>
    study.run(parseConfig(study, "quick", { ...tiny, ...overrides }), context([]));
  await assert.rejects(
    run({ width: 63 }),
    (e: Error) => e instanceof UsageError && /even/.test(e.message),
  );
  await assert.rejects(
    run({ datasets: ["mnist"], sizes: [100, 6000], testPoints: 4500 }),
    (e: Error) => e instanceof UsageError && /10000 digits/.test(e.message),
  );
  await assert.rejects(
    run({ sizes: [50, 50] }),
    (e: Error) => e instanceof UsageError && /two different/.test(e.message),
  );
  assert.throws(() => parseConfig(study, "quick", { eta: 2 }), UsageError);
});
