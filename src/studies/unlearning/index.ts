// Study: a minority-aware audit of language-model unlearning on real e-mail
// (SpamAssassin), with a byte transformer trained from scratch.
import type { Study } from "../../core/study.js";
import { runAudit, type Summary } from "./audit.js";
import { type Config, configSchema } from "./config.js";
import { buildReport } from "./report.js";

export const study: Study<Config, Summary> = {
  name: "unlearning",
  summary:
    "Does forgetting rare e-mail data leak more than forgetting random data? Seven unlearning methods audited with three membership attacks",
  paper:
    "R. Wei, M. Li, M. Ghassemi, E. Kreačić, Y. Li, X. Yue, B. Li, V. K. Potluru, P. Li, E. Chien, Underestimated Privacy Risks for Minority Populations in Large Language Model Unlearning, ICML 2025 (arXiv:2412.08559)",
  config: configSchema as never,
  presets: {
    quick: {
      seeds: 1,
      canarySize: 30,
      splitSize: 60,
      seqLen: 48,
      width: 32,
      layers: 1,
      heads: 2,
      trainSteps: 50,
      batchSize: 12,
      learningRate: 3e-3,
      unlearnLr: 1e-3,
      unlearnSteps: 2,
    },
    full: {},
  },
  run: (config, ctx) => runAudit(config, ctx),
  report: (summary, metrics, config) => buildReport(summary, metrics, config),
};
