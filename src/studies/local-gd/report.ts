// The local-gd report: distance and angle curves against rounds, the tables
// behind the --json summary, and what was measured beside the paper's claims.
import { lineChart } from "../../core/report/svg.js";
import type { MetricRecord, Report, ReportSection } from "../../core/study.js";
import type { LocalGdConfig, LocalGdSummary } from "./index.js";

function curve(
  metrics: MetricRecord[],
  filter: (m: MetricRecord) => boolean,
  y: string,
  series: (m: MetricRecord) => string,
) {
  return metrics.filter(filter).map((m) => ({ round: m.round, [y]: m[y], series: series(m) }));
}

export function localGdReport(
  summary: LocalGdSummary,
  metrics: MetricRecord[],
  config: LocalGdConfig,
): Report {
  const sections: ReportSection[] = [];
  const problems = [...new Set(summary.regression.map((r) => r.problem))];
  sections.push({
    title: "Regression: Local-GD against the centralised solution",
    text: [
      `Square loss, w0 = 0, ${config.clients} clients x ${config.samplesPerClient} samples in d = ${config.dimension} (synthetic: client-specific feature means and scales), the under-parameterised control in d = ${config.underDimension}, and MNIST pixels (centred, unit rows; ${config.mnistClients} clients x ${config.mnistSamplesPerClient}, client i holds digits 2i and 2i+1; target even = +1, odd = -1). The centralised solution is the limit of GD on all data from the same start: the interpolator closest to w0 (the minimum-norm one) when over-parameterised, least squares otherwise. ${summary.learningRateNote}. Rounds run until the relative distance is below ${config.targetRelDistance}, the model stops moving, or the round cap.`,
      "Paper's claim: in the over-parameterised regime Local-GD converges exactly to the centralised model for any number of local steps; with fewer unknowns than samples it does not (client drift) unless L = 1.",
    ],
    figures: problems.map((problem) => ({
      title: `Relative distance to the centralised solution (${problem})`,
      spec: lineChart({
        values: curve(
          metrics,
          (m) => m.experiment === "regression" && m.problem === problem,
          "relDistance",
          (m) => `L = ${m.localSteps}`,
        ),
        x: "round",
        y: "relDistance",
        series: "series",
        logX: true,
        logY: true,
        yTitle: "||w - w*|| / ||w*||",
      }),
    })),
    tables: [
      {
        title: "Regression summary",
        columns: ["problem", "local steps", "rounds", "relative distance"],
        rows: summary.regression.map((r) => [
          r.problem,
          r.localSteps,
          r.rounds,
          r.relDistanceToCentralized,
        ]),
      },
    ],
  });

  const classProblems = [...new Set(summary.classification.map((r) => r.problem))];
  sections.push({
    title: "Classification: angle to the max-margin direction",
    text: [
      `Logistic loss on separable data (synthetic clients pushed along +-w_true alternately, so labels are skewed per client; and MNIST even/odd as above), w0 = 0. Plain Local-GD runs L local GD steps per round. Our instantiation of modified Local-GD: each client solves argmin f_i(w) + (lambda/2)||w - w_k||^2 by damped Newton in the span of its samples (Newton tolerance ${config.newtonTolerance}), the server averages; lambda starts at ${config.lambda} and is multiplied by ${config.lambdaDecay} each round (floor ${config.lambdaFloor}). The max-margin direction solves the hard-margin SVM (no bias) by dual coordinate ascent, checked by its KKT conditions and duality gap (table below).`,
      "Paper's claim: plain Local-GD converges in direction to the same feasible set as the centralised model, but not necessarily to the max-margin direction; the modified method converges in direction to the max-margin solution. Directional convergence of logistic-loss methods is slow (about 1/log of the effective time), which is why lambda shrinks geometrically here.",
    ],
    figures: classProblems.map((problem) => ({
      title: `Angle to the max-margin direction (${problem})`,
      spec: lineChart({
        values: curve(
          metrics,
          (m) => m.experiment === "classification" && m.problem === problem,
          "angleDeg",
          (m) =>
            m.method === "modified-local-gd" ? "modified (ours)" : `Local-GD L = ${m.localSteps}`,
        ),
        x: "round",
        y: "angleDeg",
        series: "series",
        logX: true,
        yTitle: "angle (degrees)",
      }),
    })),
    tables: [
      {
        title: "Classification summary",
        columns: ["problem", "method", "local steps", "rounds", "angle to max-margin (deg)"],
        rows: summary.classification.map((r) => [
          r.problem,
          r.method,
          r.localSteps,
          r.rounds,
          r.angleToMaxMarginDeg,
        ]),
      },
      {
        title: "Max-margin solutions (QP checks)",
        columns: ["problem", "support vectors", "KKT violation", "duality gap", "margin"],
        rows: summary.maxMargin.map((c) => [
          c.problem,
          c.supportVectors,
          c.kktViolation,
          c.dualityGap,
          c.margin,
        ]),
      },
    ],
  });

  if (summary.finetune.length) {
    sections.push({
      title: "Fine-tuning the last layer of a pre-trained MLP",
      text: [
        `A 784-${config.hidden}-10 ReLU MLP pre-trained with Adam (engine autodiff, float32, ${config.pretrainSteps} steps of 64) on ${config.pretrainCount} images of digits 0-4 only (test accuracy on all ten digits before fine-tuning: ${summary.pretrainedAccuracy}). Its last layer (softmax, with bias, ridge ${config.finetuneL2}) is then fine-tuned in float64 on ${config.finetuneClients} clients x ${config.finetuneSamplesPerClient} images, client i holding digits 2i and 2i+1 only: by Local-GD for ${config.finetuneRounds} rounds of L local steps, and centrally by GD on the same (uniformly or data-size weighted) loss from the same start with the same step size, compared after the same number of gradient steps (rounds x L). With L = 1 Local-GD is centralised GD, so that distance checks the machinery; for larger L it measures client drift under label skew.`,
      ],
      figures: [
        {
          title: "Fine-tuned head: relative distance to the centralised one",
          spec: lineChart({
            values: curve(
              metrics,
              (m) => m.experiment === "finetune",
              "relDistance",
              (m) => `L = ${m.localSteps}`,
            ),
            x: "round",
            y: "relDistance",
            series: "series",
            logX: true,
            logY: true,
          }),
        },
      ],
      tables: [
        {
          title: "Fine-tuning summary",
          columns: [
            "method",
            "local steps",
            "rounds / steps",
            "test accuracy",
            "relative distance",
          ],
          rows: summary.finetune.map((r) => [
            r.method,
            r.localSteps,
            r.rounds,
            r.testAccuracy,
            r.relDistanceToCentralized,
          ]),
        },
      ],
    });
  }
  sections.push({
    title: "Executor",
    text: [`Clients ran ${summary.executor} (results do not depend on it).`],
  });
  return { sections };
}
