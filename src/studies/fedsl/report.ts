// The fedsl report: accuracy against rounds, uplink bits, latency and energy
// for the full scheme and its ablations, the one-at-a-time grid, and the cost
// model's constants.
import { lineChart } from "../../core/report/svg.js";
import type { MetricRecord, Report, ReportSection } from "../../core/study.js";
import type { FedslConfig, FedslSummary } from "./index.js";

const columns = [
  "variant",
  "partition",
  "split",
  "rho",
  "bits",
  "dropout",
  "I",
  "accuracy",
  "uplink Mbit",
  "latency (s)",
  "energy (J)",
];

export function fedslReport(
  summary: FedslSummary,
  metrics: MetricRecord[],
  config: FedslConfig,
): Report {
  const sections: ReportSection[] = [];
  const partitions = [...new Set(summary.runs.map((r) => r.partition))];
  for (const scheme of partitions) {
    const values = metrics
      .filter((m) => m.partition === scheme && !String(m.variant).startsWith("grid"))
      .map((m) => ({ ...m, uplinkMbit: Number(m.uplinkBits) / 1e6 }));
    const chart = (x: string, xTitle: string) =>
      lineChart({ values, x, y: "accuracy", series: "variant", xTitle, yTitle: "test accuracy" });
    sections.push({
      title: `Full scheme and ablations (${scheme} split)`,
      text: [
        `MNIST (${config.trainCount} training, ${config.testCount} test digits), ${config.clients} clients (${scheme === "dirichlet" ? `label skew, Dirichlet(${config.dirichletAlpha}) class shares` : "IID"}), MLP ${config.widths.join("-")} with ReLU, split after layer ${config.split} (client side), batch ${config.batchSize} per client per round, SGD with learning rate ${config.learningRate}, ${config.rounds} rounds, client parts averaged (weighted by data size) every I = ${config.aggregateEvery} rounds. The full scheme prunes rho = ${config.rho} of the client weights by magnitude each round (updates go to the dense copy), quantises the split-layer gradients sent down to ${config.bits} bits (QSGD-style, one 32-bit norm per sample), and drops split-layer activations with p = ${config.dropout} (${summary.dropoutNote}). Ablations switch one of these off; plain FedSL switches all off; FedAvg trains the whole model on each client and averages it every I rounds.`,
        "The paper (VGG-19 on CIFAR-10) found that moderate pruning and 8-bit gradients speed training at competitive accuracy, more so with a shallower split. Compare the latency and energy columns at similar accuracy; the grid below varies one setting at a time.",
      ],
      figures: [
        { title: "Test accuracy against rounds", spec: chart("round", "round") },
        {
          title: "Test accuracy against cumulative latency",
          spec: chart("latencySeconds", "latency (s)"),
        },
        { title: "Test accuracy against uplink bits", spec: chart("uplinkMbit", "uplink (Mbit)") },
        { title: "Test accuracy against client energy", spec: chart("energyJoules", "energy (J)") },
      ],
      tables: [
        {
          title: "Final results",
          columns,
          rows: summary.runs
            .filter((r) => r.partition === scheme)
            .map((r) => [
              r.variant,
              r.partition,
              r.split,
              r.rho,
              r.bits,
              r.dropout,
              r.aggregateEvery,
              r.accuracy,
              r.uplinkBits / 1e6,
              r.latencySeconds,
              r.energyJoules,
            ]),
        },
      ],
    });
  }
  if (summary.grid.length) {
    sections.push({
      title: "Grid: one setting at a time around the full scheme",
      text: [
        `Each row changes one setting of the full scheme (rho in ${config.gridRho.join(", ")}; bits in ${config.gridBits.join(", ")}; dropout in ${config.gridDropout.join(", ")}; I in ${config.gridAggregateEvery.join(", ")}), for split points ${config.split} and ${config.altSplit}, on the ${config.partition} split. (A full factorial grid would be ${config.gridRho.length * config.gridBits.length * config.gridDropout.length * config.gridAggregateEvery.length * 2} runs; the sweeps are what we ran.)`,
      ],
      tables: [
        {
          title: "Grid results",
          columns: ["sweep", ...columns.slice(1)],
          rows: summary.grid.map((r) => [
            r.sweep,
            r.partition,
            r.split,
            r.rho,
            r.bits,
            r.dropout,
            r.aggregateEvery,
            r.accuracy,
            r.uplinkBits / 1e6,
            r.latencySeconds,
            r.energyJoules,
          ]),
        },
      ],
    });
  }
  sections.push({
    title: "Cost model (ours; the paper's system model was not available)",
    text: [
      `Uplink rate r_k = B log2(1 + p g_k / (N0 B)), B = ${config.bandwidthHz / 1e6} MHz per device, client power p = ${config.clientPowerW} W, N0 = -174 dBm/Hz; g_k = path loss 128.1 + 37.6 log10(d_k / km) dB (distances uniform in 50-500 m, fixed per client) times Rayleigh fading |h|^2 ~ Exp(1) drawn per client per round. Downlink: the same formula at server power ${config.serverPowerW} W.`,
      `Compute: training FLOPs = 3 x forward FLOPs (2 per kept weight plus one per bias) x batch; time = FLOPs / (${config.flopsPerCycle} FLOPs per cycle x f), client f = ${config.clientHz / 1e9} GHz, server f = ${config.serverHz / 1e9} GHz (server work for all clients counted in sequence); energy = kappa x cycles x f^2 with kappa = ${config.kappa}, plus radio energy p x uplink time.`,
      "Bits: activations go up at 32 bits, only dropout survivors (the mask comes from a seed both sides know); split-layer gradients come down at b bits plus a 32-bit norm per sample (32 bits when not quantised); every I rounds each client uploads its client model (kept weights and biases at 32 bits, plus a one-bit-per-weight mask when pruned), the server averages these pruned models (weighted by data size), and each client downloads the average at 32 bits per weight; between aggregations each client keeps training its own dense copy. Latency per round = the slowest client's compute + uplink + downlink time, plus the server's compute time; energy counts the clients only.",
    ],
  });
  sections.push({
    title: "Executor",
    text: [`Clients ran ${summary.executor} (results do not depend on it).`],
  });
  return { sections };
}
