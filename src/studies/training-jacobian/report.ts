// The report page of a training-Jacobian run, beside the reference figures
// of a float64 numpy re-implementation of the paper's setting.

import { lineChart } from "../../core/report/svg.js";
import type { MetricRecord, Report } from "../../core/study.js";
import type { SpectrumSummary } from "./analysis.js";
import type { Config } from "./config.js";
import type { Summary } from "./summary.js";

// Reference figures (numpy, float64, width 64, P = 4810, one seed).
const REFERENCE_KL: Record<string, [number, number, number]> = {
  train: [0.087, 1.5e-5, 0.13],
  noise: [0.12, 0.12, 0.27],
  inverted: [0.11, 0.062, 0.2],
};

function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "n/a";
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}

function countsRow(name: string, s: SpectrumSummary): (string | number)[] {
  const pct = (k: number) => `${k} (${fmt((100 * k) / s.count, 3)}%)`;
  return [
    name,
    s.count,
    pct(s.chaotic),
    pct(s.bulk),
    pct(s.bulkTight),
    pct(s.stable),
    fmt(s.max, 4),
  ];
}

export function buildReport(summary: Summary, metrics: MetricRecord[], config: Config): Report {
  const t = summary.spectrum.thresholds;
  const spectrumValues = metrics.filter((m) => m.kind === "spectrum");
  const countColumns = [
    "run",
    "P",
    `s > ${t.chaoticAbove}`,
    `|s-1| < ${t.bulkWithin}`,
    `|s-1| < ${t.bulkTightWithin}`,
    `s < ${t.stableBelow}`,
    "max s",
  ];
  const main: SpectrumSummary = { count: summary.parameters, ...summary.spectrum };
  const countRows = [
    countsRow("seed 0", main),
    ...summary.variants.map((v) => countsRow(v.name, v.spectrum)),
  ];
  if (summary.reference) countRows.push(countsRow("reference numpy (width 64)", summary.reference));

  const perturbRows = summary.perturbation.map((r, i) => [
    r.region,
    r.directions,
    fmt(r.train),
    fmt(r.inDistChange),
    fmt(r.outOfDistChange),
    fmt(r.inverted),
    `${fmt(REFERENCE_KL.train[i])} / ${fmt(REFERENCE_KL.noise[i])} / ${fmt(REFERENCE_KL.inverted[i])}`,
  ]);
  const perturbCurve = metrics
    .filter((m) => m.kind === "perturbation" && (m.set === "test" || m.set === "noise"))
    .map((m) => ({
      scale: m.scale,
      kl: Math.max(Number(m.medianMaxKl), 1e-12),
      series: `${m.region}, ${m.set}`,
    }));

  return {
    sections: [
      {
        title: "Setting and timing",
        text: [
          `MLP 64-${config.width}-10 with tanh-GELU, P = ${summary.parameters} parameters, trained on the first ${config.trainSize} of the paper's 1,600 digits (197 test) with heavy-ball SGD (momentum ${config.momentum}), learning rate cosine-decayed from ${config.learningRate} to 0, batch ${config.batchSize} in a fixed order, ${config.epochs} epochs = ${summary.steps} steps; float64 throughout, in plain TypeScript (GELU, softmax and their derivatives from Math.tanh/Math.exp, which are float64-accurate, unlike the engine's wasm ones).`,
          `Final accuracy: train ${fmt(100 * summary.trainAccuracy, 4)}%, test ${fmt(100 * summary.testAccuracy, 4)}% (reference at width 64: 99.8% / 95.4%). The dense Jacobian took ${fmt(summary.seconds.jacobian, 3)} s (${summary.workers}); the whole run ${fmt(summary.seconds.total, 3)} s.`,
          `Precision: the largest relative difference between sampled columns of J and central differences of the whole training run (h = 1e-6) is ${fmt(summary.precision.finiteDifferenceRelativeError)}; a matrix-free J v through training agrees with U diag(s) V^T v to ${fmt(summary.precision.jvpAgainstSvdMaxError)} (relative).`,
        ],
      },
      {
        title: "Singular value spectrum and its three regions",
        text: [
          `Regions: chaotic s > ${t.chaoticAbove}, bulk |s - 1| < ${t.bulkWithin} (tight band ${t.bulkTightWithin} also counted), stable s < ${t.stableBelow}; values between the bands belong to none. Smallest s = ${fmt(summary.spectrum.min)}, largest ${fmt(summary.spectrum.max, 4)}. Rank is plotted as a fraction of P so that spectra of different widths compare.`,
          "The SVD comes from the eigen-decomposition of J^T J (plain TypeScript, float64). Limitation: singular values below about 1e-7 x s_max are not resolved this way (the stable tail's true values reach 1e-16 in the reference); they show as a noise floor in the plot, and their left vectors are noise. Region counts are unaffected.",
        ],
        figures: [
          {
            title: "Singular values of d theta_T / d theta_0 (log scale)",
            spec: lineChart({
              values: spectrumValues.map((m) => ({
                rank: m.rank,
                s: Math.max(Number(m.s), 1e-17),
                run: m.run,
              })),
              x: "rank",
              y: "s",
              series: "run",
              xTitle: "rank / P",
              yTitle: "singular value",
              logY: true,
            }),
          },
        ],
        tables: [{ title: "Region sizes", columns: countColumns, rows: countRows }],
      },
      {
        title: "Alignment of left and right singular vectors",
        text: [
          `Mean |<u_i, v_i>| over the bulk band: ${fmt(summary.alignmentBulkMean, 5)}; over the tight band: ${fmt(summary.alignmentTightBulkMean, 5)} (reference: 0.9997 for |s-1| < 1e-3); over the stable region: ${fmt(summary.alignmentStableMean)} (reference: about 0.26). In the bulk a perturbation of the initialisation comes out of training nearly unchanged.`,
        ],
        figures: [
          {
            title: "|<u_i, v_i>| against s_i",
            spec: {
              data: {
                values: metrics
                  .filter((m) => m.kind === "alignment")
                  .map((m) => ({ s: Math.max(Number(m.s), 1e-17), alignment: m.alignment })),
              },
              mark: { type: "point", size: 8, opacity: 0.5 },
              encoding: {
                x: {
                  field: "s",
                  type: "quantitative",
                  scale: { type: "log" },
                  title: "singular value",
                },
                y: { field: "alignment", type: "quantitative", title: "|<u, v>|" },
              },
            },
          },
        ],
      },
      {
        title: "Output change along singular directions, in and out of distribution",
        text: [
          `A unit left singular vector u_i is added to the trained parameters; the change is the maximum over examples of KL(p_trained || p_perturbed), averaged over the two signs of u_i (a singular pair's sign is arbitrary), median over ${config.directionsPerRegion} directions spread over each region. In distribution: train and test digits; out of distribution: uniform-noise images and inverted test digits (1 - x). inDistChange is the test column, outOfDistChange the noise column.`,
        ],
        tables: [
          {
            title: "Median max-KL at unit scale",
            columns: [
              "region",
              "directions",
              "train",
              "test",
              "noise",
              "inverted",
              "reference train / noise / inverted",
            ],
            rows: perturbRows,
          },
        ],
        figures: [
          {
            title: "Output change against perturbation size",
            spec: lineChart({
              values: perturbCurve,
              x: "scale",
              y: "kl",
              series: "series",
              xTitle: "size of the perturbation",
              yTitle: "median max-KL",
              logX: true,
              logY: true,
            }),
          },
        ],
      },
      {
        title: "Bulk subspaces of different seeds",
        text: [
          `Overlap = mean squared cosine of the principal angles between the bulk right-singular subspaces of seed 0 and another seed; the baseline replaces seed 0's subspace by a uniformly random one of the same dimension (expected value max(d1, d2)/P = ${fmt(summary.seedOverlap.expectedRandom)}).`,
        ],
        tables: [
          {
            title: "Principal-angle overlap",
            columns: ["seed pair", "dimensions", "observed", "random baseline"],
            rows: summary.seedOverlap.pairs.map((o) => [
              `0 and ${o.seed}`,
              o.dimensions.join(" / "),
              fmt(o.observed, 4),
              fmt(o.randomBaseline, 4),
            ]),
          },
        ],
      },
      {
        title: "Training length and labels",
        text: [
          "Training length: the Jacobian of the first epochs of the same run (same cosine schedule over the whole run). Variants: labels permuted, and inputs replaced by uniform noise, both from the same initialisation. The paper finds the structure depends on the inputs and hardly on the labels.",
        ],
        tables: [
          {
            title: "Region sizes after each number of epochs",
            columns: ["epochs", ...countColumns.slice(1)],
            rows: summary.trainingLength.map((r) => countsRow(String(r.epochs), r.spectrum)),
          },
          {
            title: "Variants (final train accuracy)",
            columns: ["run", "train accuracy"],
            rows: summary.variants.map((v) => [v.name, fmt(v.trainAccuracy)]),
          },
        ],
      },
      {
        title: "Matrix-free estimates (Lanczos through training)",
        text: [
          summary.matrixFree
            ? `Lanczos with full reorthogonalisation on J^T J, ${summary.matrixFree.steps} steps from one random vector; each step is one Jacobian-vector and one vector-Jacobian product through the whole training run (no dense J), the way models too large for the dense Jacobian are analysed. The near-one fraction is the stochastic-Lanczos-quadrature weight of Ritz values with ${summary.matrixFree.band[0]} <= s <= ${summary.matrixFree.band[1]} (one probe; a quadrature with a few dozen nodes cannot resolve the narrow bulk bands, so the band is wide and the estimate rough; the smallest Ritz value converges slowly because the bottom of the spectrum is clustered).`
            : "Skipped (lanczosSteps = 0).",
        ],
        tables: summary.matrixFree
          ? [
              {
                title: "Lanczos against the dense SVD",
                columns: ["quantity", "Lanczos", "dense"],
                rows: [
                  ...summary.matrixFree.top.map((x, i) => [
                    `s_${i + 1}`,
                    fmt(x, 6),
                    fmt(summary.matrixFree!.denseTop[i], 6),
                  ]),
                  [
                    "smallest s",
                    fmt(summary.matrixFree.smallest),
                    fmt(summary.matrixFree.denseSmallest),
                  ],
                  [
                    `fraction with ${summary.matrixFree.band[0]} <= s <= ${summary.matrixFree.band[1]}`,
                    fmt(summary.matrixFree.bulkFraction),
                    fmt(summary.matrixFree.denseBulkFraction),
                  ],
                ],
              },
            ]
          : [],
      },
      {
        title: "Training inside the span of singular directions",
        text: [
          "The same optimiser and schedule, with the parameters restricted to theta_0 + span of k right singular vectors: the most chaotic, those closest to 1 (bulk), the most stable, or k random directions. The paper reports that the stable directions alone train well.",
        ],
        tables: [
          {
            title: "Accuracy after training in a subspace",
            columns: ["subspace", "k", "train accuracy", "test accuracy"],
            rows: summary.spanTraining.map((r) => [
              r.subspace,
              r.directions,
              fmt(r.trainAccuracy),
              fmt(r.testAccuracy),
            ]),
          },
        ],
      },
    ],
  };
}
