// The ntk-regression report: rates against n, the U-shaped curve with the
// rule's stop, and width agreement, each with the settings that produced it.
import { lineChart } from "../../core/report/svg.js";
import type { Figure, MetricRecord, Report, ReportSection } from "../../core/study.js";
import type { Config, Summary } from "./index.js";

const LABEL = {
  network: "network at T_hat",
  ntkGd: "NTK GD at T_hat",
  krr: "KRR, ridge eps_n^2",
  eps2: "eps_n^2 (predicted)",
} as const;

function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 0.01 && Math.abs(x) < 1e4 ? x.toFixed(digits) : x.toExponential(2);
}

function ratesSection(summary: Summary, config: Config): ReportSection {
  const figures: Figure[] = [...new Set(summary.means.map((r) => r.dataset))].map((dataset) => {
    const values = summary.means
      .filter((r) => r.dataset === dataset)
      .flatMap((r) =>
        (Object.keys(LABEL) as (keyof typeof LABEL)[]).map((key) => ({
          n: r.n,
          error: r[key],
          method: LABEL[key],
        })),
      );
    return {
      title: `Test error against n (${dataset})`,
      caption: `Mean of ${config.repeats} repeats; excess risk E(f - f*)^2 on ${config.testPoints} fresh points.`,
      spec: lineChart({
        values,
        x: "n",
        y: "error",
        series: "method",
        logX: true,
        logY: true,
        yTitle: "test error",
      }),
    };
  });
  return {
    title: "Rates in n",
    text: [
      `Two-layer ReLU network (width ${config.width}, symmetric init, kappa ${config.kappa}), full-batch GD with eta ` +
        `${config.eta}, stopped at the rule's T_hat; NTK GD stopped at the same T_hat (closed form in the eigenbasis ` +
        `of K/n); kernel ridge regression with ridge eps_n^2; sigma0 ${config.sigma0}, d ${config.dim} ` +
        `(MNIST: a fixed Gaussian projection of centred pixels to ${config.mnistDim} dimensions, normalised; target ` +
        `cos(pi label / 9)).`,
      `Theory for uniform covariates: risk ~ n^(${fmt(summary.theorySlope)}) and T_hat ~ n^(${fmt(-summary.theorySlope)}). ` +
        `Measured slope of T_hat against n (first data set): ${fmt(summary.stepSlope)}.`,
    ],
    figures,
    tables: [
      {
        title: "Fitted log-log slopes (error ~ exp(intercept) n^slope)",
        columns: ["data set", "method", "slope", "intercept"],
        rows: summary.rates.map((r) => [r.dataset, r.method, fmt(r.slope), fmt(r.intercept)]),
      },
      {
        title: "Mean test errors",
        columns: ["data set", "n", "T_hat", "eps_n^2", "network", "NTK GD", "KRR"],
        rows: summary.means.map((r) => [
          r.dataset,
          r.n,
          fmt(r.predictedStep, 1),
          fmt(r.eps2, 4),
          fmt(r.network, 4),
          fmt(r.ntkGd, 4),
          fmt(r.krr, 4),
        ]),
      },
    ],
  };
}

function stoppingSection(summary: Summary, metrics: MetricRecord[], config: Config): ReportSection {
  const s = summary.stopping;
  const values = metrics
    .filter((m) => m.kind === "steps")
    .map((m) => ({ step: m.step, testError: m.testError, model: m.model }));
  const marks = [
    { step: s.predictedStep, label: "rule T_hat" },
    { step: Math.max(s.bestStep, 1), label: "oracle best (network)" },
  ];
  const rule = {
    data: { values: marks },
    mark: { type: "rule", strokeDash: [4, 3] },
    encoding: {
      x: { field: "step", type: "quantitative" },
      color: { field: "label", type: "nominal", title: "marker" },
    },
  };
  return {
    title: "Test error against GD steps",
    text: [
      `Uniform data, n ${config.stopSize}; the network runs to ${config.stopHorizon} x T_hat steps (test error on a ` +
        `geometric step grid, ratio 1.05, so the oracle best step is located to about 5%); NTK GD continues ` +
        `(in closed form) to 1000 x T_hat, where overfitting the noise shows the right arm of the U.`,
    ],
    figures: [
      {
        title: "U-shaped test error and the stopping rule",
        spec: lineChart({
          values,
          x: "step",
          y: "testError",
          series: "model",
          logX: true,
          logY: true,
          xTitle: "GD step",
          yTitle: "test error",
          layers: [rule],
        }),
      },
    ],
    tables: [
      {
        title: "Stopping",
        columns: ["model", "T_hat", "error at T_hat", "best step", "error at best", "ratio"],
        rows: [
          [
            "network",
            s.predictedStep,
            fmt(s.errorAtPredicted, 5),
            s.bestStep,
            fmt(s.errorAtBest, 5),
            fmt(s.errorAtPredicted / s.errorAtBest),
          ],
          [
            "NTK GD",
            s.predictedStep,
            fmt(s.kernelErrorAtPredicted, 5),
            s.kernelBestStep,
            fmt(s.kernelErrorAtBest, 5),
            fmt(s.kernelErrorAtPredicted / s.kernelErrorAtBest),
          ],
        ],
      },
    ],
  };
}

function widthSection(summary: Summary, config: Config): ReportSection {
  const values = summary.widthAgreement.flatMap((r) => [
    { width: r.width, distance: r.kernelDistance, what: "sup |K_m - K| at init" },
    { width: r.width, distance: r.predictorDistance, what: "RMS network - NTK GD at T_hat" },
  ]);
  return {
    title: "Network against NTK as the width grows",
    text: [
      `Uniform data, n ${config.widthSize}. Kernel distance: largest entry of |K_m - K| over the training pairs at ` +
        `initialisation; fitted slope ${fmt(summary.widthSlope)} against the width (theory: -0.5).`,
    ],
    figures: [
      {
        title: "Distance between the network and its NTK",
        spec: lineChart({
          values,
          x: "width",
          y: "distance",
          series: "what",
          logX: true,
          logY: true,
        }),
      },
    ],
    tables: [
      {
        title: "Width agreement",
        columns: [
          "width",
          "kernel sup distance",
          "predictor RMS distance",
          "network error",
          "NTK GD error",
        ],
        rows: summary.widthAgreement.map((r) => [
          r.width,
          fmt(r.kernelDistance, 4),
          fmt(r.predictorDistance, 5),
          fmt(r.networkError, 5),
          fmt(r.ntkGdError, 5),
        ]),
      },
    ],
  };
}

/** Builds the report page sections. */
export function buildReport(summary: Summary, metrics: MetricRecord[], config: Config): Report {
  return {
    sections: [
      ratesSection(summary, config),
      stoppingSection(summary, metrics, config),
      widthSection(summary, config),
    ],
  };
}
