// Study: the training Jacobian d theta_T / d theta_0 of a small MLP on the
// 8x8 digits, its SVD and the paper's analyses of its three spectral regions.
import type { Study } from "../../core/study.js";
import { type Config, configSchema } from "./config.js";
import { buildReport } from "./report.js";
import { runStudy } from "./run.js";
import type { Summary } from "./summary.js";

export const study: Study<Config, Summary> = {
  name: "training-jacobian",
  summary:
    "How trained parameters depend on initial ones: the exact Jacobian of a whole training run, its chaotic, bulk and stable singular directions",
  paper:
    "N. Belrose, A. Scherlis (EleutherAI), Understanding Gradient Descent through the Training Jacobian, arXiv:2412.07003 (2024)",
  config: configSchema as never,
  presets: {
    quick: {
      width: 6,
      epochs: 4,
      checkpointEpochs: [1, 2],
      noiseInputs: false,
      directionsPerRegion: 8,
      spanDirections: 100,
      lanczosSteps: 20,
      finiteDifferenceColumns: 1,
      chunks: 4,
    },
    full: { width: 32, workers: 2, chunks: 32 },
  },
  run: (config, ctx) => runStudy(config, ctx),
  report: (summary, metrics, config) => buildReport(summary, metrics, config),
};
