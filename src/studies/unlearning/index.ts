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
    "R. Wei, M. Li, X. Ghosh, et al., Underestimated Privacy Risks for Minority Populations in Large Language Model Unlearning, ICML 2025",
  config: configSchema as never,
  presets: {
    quick: {
      seeds: 1,
      canarySize: 30,
      splitSize: 90,
      seqLen: 48,
      width: 32,
      layers: 1,
      heads: 2,
      trainSteps: 80,
      batchSize: 12,
      unlearnSteps: 3,
    },
    full: {},
  },
  run: (config, ctx) => runAudit(config, ctx),
  report: (summary, metrics, config) => buildReport(summary, metrics, config),
};
