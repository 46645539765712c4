// The unlearning audit's report page: the leakage table beside the paper's
// claim, reference AUCs, utility and stop rules, and the training curves.
import { lineChart } from "../../core/report/svg.js";
import type { Figure, MetricRecord, Report, Table } from "../../core/study.js";
import { ATTACKS } from "./attacks.js";
import type { Summary } from "./audit.js";
import { CANARY_KINDS } from "./canaries.js";
import type { Config } from "./config.js";
import { METHOD_NAMES, stopsOnForgetLoss } from "./unlearn.js";

const round = (x: number, digits = 3) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);

function leakageTable(summary: Summary): Table {
  const rows = summary.minorityOverRandom.map((r) => {
    const get = (canary: string) =>
      summary.details.find(
        (d) => d.method === r.method && d.attack === r.attack && d.canary === canary,
      );
    const cellText = (canary: string) => {
      const d = get(canary);
      return d ? `${d.leakage.toFixed(3)} ± ${d.leakageSd.toFixed(3)}` : "–";
    };
    const planted = summary.plantedOverRandom.find(
      (p) => p.method === r.method && p.attack === r.attack,
    );
    return [
      METHOD_NAMES[r.method],
      r.attack,
      cellText("random"),
      cellText("minority"),
      cellText("planted"),
      round(r.ratio, 2),
      round(planted?.ratio ?? Number.NaN, 2),
      Number.isFinite(r.ratio) ? r.ratio >= 1.2 : null,
    ];
  });
  return {
    title: "Leakage |AUC(unlearned) − AUC(retrained)|, mean ± sd over seeds",
    columns: [
      "method",
      "attack",
      "random",
      "minority",
      "planted",
      "minority / random",
      "planted / random",
      "minority ≥ 1.2× random",
    ],
    rows,
    caption: `Minority leakage is at least 1.2× random leakage in ${summary.minorityAtLeast1_2x.count} of ${summary.minorityAtLeast1_2x.of} method × attack rows (seeds ${summary.seeds.join(", ")}).`,
  };
}

function referenceTable(summary: Summary): Table {
  const rows = ATTACKS.flatMap((attack) =>
    CANARY_KINDS.map((canary) => {
      const d = summary.details.find((x) => x.attack === attack && x.canary === canary);
      return [
        attack,
        canary,
        round(d?.aucOriginal ?? Number.NaN),
        round(d?.aucRetrained ?? Number.NaN),
        round(d?.tprRetrained ?? Number.NaN),
      ];
    }),
  );
  return {
    title: "Membership AUC of each canary set against the test split, before unlearning",
    columns: ["attack", "canary", "AUC original", "AUC retrained", "TPR@FPR retrained"],
    rows,
    caption:
      "The original model trained on the canaries; the retrained model never saw them, so its AUC is the reference an unlearned model should match.",
  };
}

function utilityTable(summary: Summary): Table {
  return {
    title: "Utility and stop rules",
    columns: [
      "method",
      "canary",
      "test ppl before",
      "test ppl after",
      "test ppl retrained",
      "forget NLL after",
      "mean steps",
      "runs stopped early",
      "stop rule",
    ],
    rows: summary.utility.map((u) => [
      METHOD_NAMES[u.method],
      u.canary,
      round(u.perplexityBefore, 2),
      round(u.perplexityAfter, 2),
      round(u.perplexityRetrained, 2),
      round(u.forgetNllAfter),
      round(u.meanSteps, 1),
      `${u.stoppedRuns}/${summary.seeds.length}`,
      stopsOnForgetLoss(u.method) ? "forget NLL up by the gap, else budget" : "full budget",
    ]),
  };
}

function leakageFigure(summary: Summary, attack: string): Figure {
  const values = summary.details
    .filter((d) => d.attack === attack)
    .map((d) => ({ method: METHOD_NAMES[d.method], canary: d.canary, leakage: d.leakage }));
  return {
    title: `Leakage by method (${attack} attack)`,
    spec: {
      data: { values },
      mark: "bar",
      encoding: {
        x: { field: "method", type: "nominal", title: null },
        xOffset: { field: "canary", type: "nominal" },
        y: { field: "leakage", type: "quantitative", title: "|AUC − AUC retrained|" },
        color: { field: "canary", type: "nominal", sort: [...CANARY_KINDS] },
      },
      width: 360,
      height: 220,
    },
  };
}

/** The measured gaps, and what a negative one does to the stop rule. */
function gapText(gaps: number[]): string {
  const values = gaps.map((g) => g.toFixed(3)).join(", ");
  const text = `${values} nats per byte over the seeds`;
  return gaps.some((g) => g < 0)
    ? `${text}; a negative gap, from a model that has not yet fitted its training data more closely than new data, sets the target to 0, so those runs stop after one step`
    : text;
}

/** Where the canaries' keys come from, as measured on the documents. */
function phoneNote(phoneDocs: number, seqLen: number): string {
  if (phoneDocs === 0) {
    return `Phone numbers in this corpus sit deep in message bodies: none falls inside the first ${seqLen} bytes, so every canary here is keyed on an e-mail domain (a longer seqLen admits some; about 20 documents at 256 bytes).`;
  }
  return `${phoneDocs} eligible documents are keyed on an area code; the rest on an e-mail domain.`;
}

export function buildReport(summary: Summary, metrics: MetricRecord[], config: Config): Report {
  const training = metrics
    .filter((m) => m.kind === "train")
    .map((m) => ({ step: m.step, loss: m.loss, model: `${m.model} (seed ${m.seed})` }));
  const p = summary.pii;
  return {
    sections: [
      {
        title: "What was measured",
        text: [
          `Data: the SpamAssassin public corpus (${p.messages} messages; ${p.documents} distinct documents after cleaning to From, Subject and plain-text body and cutting to ${config.seqLen} bytes). Detectors found ${p.emails} e-mail addresses (${p.distinctDomains} domains), ${p.phones} US phone numbers (${p.distinctAreaCodes} area codes) and ${p.fromNames} From-line names in the full messages; ${p.eligible} documents hold exactly one phone number (beside at most the sender's address) or exactly one e-mail address, ${p.eligiblePhones} of them keyed on a phone number's area code.`,
          `Canaries: ${config.canarySize} messages per set. Random: a seeded draw of such documents. Minority: those whose e-mail domain or area code is least frequent in the whole corpus (seed ${summary.seeds[0]}: ${summary.minorityValues.slice(0, 6).join(", ")}, ...). Planted: random such documents with the value replaced by the domain '${summary.plantedValue}' (or, in a document keyed on a phone number, the area code ${summary.plantedAreaCode}), which occur nowhere in the corpus. ${phoneNote(p.eligiblePhones, config.seqLen)}`,
          `Models: a byte-level decoder-only transformer (${config.layers} layers, width ${config.width}, ${config.heads} heads, ${summary.parameters} parameters), trained from scratch for ${config.trainSteps} AdamW steps (batch ${config.batchSize}). The original model sees train + retain + all three canary sets; the retrained reference sees train + retain (${config.splitSize} documents each) and none of the canaries. One retrained model serves the three canary kinds: the exact reference for forgetting one kind would also have seen the other two (${2 * config.canarySize} documents).`,
          `Unlearning: each method starts from the original model and runs at most ${config.unlearnSteps} AdamW steps (learning rate ${config.unlearnLr}) on the whole forget set and retain batches of ${config.unlearnBatch}. Stop rule: the methods that push the forget loss up (all but EUk and CFk) stop after the first step at which the forget set's mean NLL has risen by the original model's generalisation gap (test NLL − retain NLL: ${gapText(summary.generalisationGaps)}), so every canary set is moved by the same amount from where it started; EUk and CFk (k = ${config.k}) use the full budget. Gradient ascent and NPO give the same model when both stop after one step: at the reference, NPO's gradient is a positive multiple of ascent on the summed NLL, and Adam's first step depends only on the gradient's signs.`,
          `Leakage is |AUC(unlearned) − AUC(retrained)| for the same canary set and attack, our reading of the paper's measure. AUC is forget set (members) against the ${config.splitSize} test documents, ties counted half. Attacks: LOSS, Zlib (loss over zlib-compressed bytes), Min-K% (k = ${config.minKFraction * 100}%). The paper (Wei et al., ICML 2025) reports minority leakage at least about 20% above random leakage in most settings, on GPT-2 and Llama-2-7B fine-tuned on Enron and ECHR; this page measures the same comparison on a small model trained from scratch, so its absolute AUCs are far closer to 0.5.`,
          `Test NLL (nats per byte): original ${summary.testNll.original.toFixed(3)}, retrained ${summary.testNll.retrained.toFixed(3)}. Run time ${summary.seconds.toFixed(1)} s.`,
        ],
      },
      { title: "Minority versus random", tables: [leakageTable(summary)] },
      {
        title: "Leakage by method",
        figures: ATTACKS.map((a) => leakageFigure(summary, a)),
      },
      { title: "Reference AUCs", tables: [referenceTable(summary)] },
      { title: "Utility", tables: [utilityTable(summary)] },
      {
        title: "Training",
        figures: training.length
          ? [
              {
                title: "Training loss (nats per byte)",
                spec: lineChart({ values: training, x: "step", y: "loss", series: "model" }),
              },
            ]
          : [],
      },
    ],
  };
}
