// The audit: train the original model (train + retain + canaries) and the
// retrained reference (train + retain), unlearn each canary set with each
// method, attack, and compare: leakage = |AUC(unlearned) - AUC(retrained)|.
import type { StudyContext } from "../../core/study.js";
import { ATTACKS, type AttackName, attackScore, rocAuc, tprAtFpr } from "./attacks.js";
import {
  buildDocs,
  CANARY_KINDS,
  type CanaryKind,
  countPii,
  makeSplits,
  type PiiCounts,
  scanCorpus,
  unusedDomain,
} from "./canaries.js";
import type { Config } from "./config.js";
import { loadCorpus } from "./corpus.js";
import { initFlat, type Layout } from "./model.js";
import {
  type Encoded,
  encode,
  makeScorer,
  makeTrainStep,
  rowLogProbs,
  type Scorer,
  setNll,
  trainModel,
} from "./train.js";
import { type Method, stopsOnForgetLoss, Unlearner } from "./unlearn.js";

/** One row of the `--json` cells: means over seeds. */
export interface Cell {
  method: Method;
  attack: AttackName;
  canary: CanaryKind;
  leakage: number;
  auc: number;
  aucRetrained: number;
}

export interface Ratio {
  method: Method;
  attack: AttackName;
  ratio: number;
}

/** Per-cell spread and the secondary measures. */
export interface CellDetail extends Cell {
  leakageSd: number;
  leakagePerSeed: number[];
  aucOriginal: number;
  tpr: number;
  tprRetrained: number;
}

export interface Utility {
  method: Method;
  canary: CanaryKind;
  perplexityBefore: number;
  perplexityAfter: number;
  perplexityRetrained: number;
  meanSteps: number;
  stoppedRuns: number;
  forgetNllAfter: number;
}

export interface Summary {
  cells: Cell[];
  minorityOverRandom: Ratio[];
  plantedOverRandom: Ratio[];
  /** Cells (method x attack) where minority leakage >= 1.2x random leakage, and how many there are. */
  minorityAtLeast1_2x: { count: number; of: number };
  details: CellDetail[];
  utility: Utility[];
  pii: PiiCounts;
  plantedValue: string;
  minorityValues: string[];
  seeds: number[];
  parameters: number;
  /** Mean per-token NLL on the test split: original, retrained; and the stop target. */
  testNll: { original: number; retrained: number };
  /** Mean rise of the forget NLL at which ascent-type methods stop. */
  stopRise: number;
  seconds: number;
}

interface Scored {
  /** Per-text scores for each attack. */
  scores: Record<AttackName, number[]>;
  nll: number;
}

function scoreSet(scorer: Scorer, theta: Float32Array, data: Encoded, config: Config): Scored {
  const all = scorer.tokenLogProbs(theta, data);
  const scores = { loss: [], zlib: [], mink: [] } as Record<AttackName, number[]>;
  for (let row = 0; row < data.count; row++) {
    const lp = rowLogProbs(all, data, row);
    for (const a of ATTACKS) {
      scores[a].push(attackScore(a, lp, data.texts[row], config.minKFraction));
    }
  }
  return { scores, nll: setNll(all, data) };
}

interface SeedCell {
  auc: number;
  aucRetrained: number;
  aucOriginal: number;
  tpr: number;
  tprRetrained: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

/** Runs the whole audit over `config.seeds` seeds. */
export async function runAudit(config: Config, ctx: StudyContext): Promise<Summary> {
  const began = performance.now();
  const methods = config.methods as Method[];
  const messages = loadCorpus();
  const docs = buildDocs(messages, config.seqLen);
  const scan = scanCorpus(messages);
  const frequencies = scan.frequencies;
  const pii = countPii(messages, scan, docs);
  const plantedValue = unusedDomain(messages);
  const shape = {
    seqLen: config.seqLen,
    width: config.width,
    layers: config.layers,
    heads: config.heads,
  };
  const layout: Layout = initFlat(shape, ctx.rng.fork("shape")).layout;
  // one compiled chunk shape: a whole canary set, and the test split in pieces of that size
  const scorer = makeScorer(layout, config.canarySize);
  const trainStep = makeTrainStep(layout);
  const unlearner = new Unlearner({
    layout,
    heads: config.heads,
    npoBeta: config.npoBeta,
    steps: config.unlearnSteps,
    batchSize: config.unlearnBatch,
    learningRate: config.unlearnLr,
    k: config.k,
    stopRise: 0,
  });

  const perSeed = new Map<string, SeedCell[]>();
  const utilityRuns = new Map<
    string,
    { after: number[]; steps: number[]; stopped: number; forget: number[] }
  >();
  const before: number[] = [];
  const rises: number[] = [];
  const retrainedNll: number[] = [];
  const seeds: number[] = [];
  let minorityValues: string[] = [];
  const jobsPerSeed = 2 + CANARY_KINDS.length * methods.length;

  for (let s = 0; s < config.seeds; s++) {
    const seed = ctx.seed + s;
    seeds.push(seed);
    const rng = ctx.rng.fork(`seed${seed}`);
    const splits = makeSplits({
      docs,
      frequencies,
      plantedValue,
      size: config.canarySize,
      splitSize: config.splitSize,
      length: config.seqLen,
      rng: rng.fork("splits"),
    });
    if (s === 0) minorityValues = splits.canaryValues.minority;
    const canaryTexts = CANARY_KINDS.flatMap((k) => splits.canaries[k]);
    const originalData = encode([...splits.train, ...splits.retain, ...canaryTexts], config.seqLen);
    const retrainedData = encode([...splits.train, ...splits.retain], config.seqLen);
    const retain = encode(splits.retain, config.seqLen);
    const test = encode(splits.test, config.seqLen);
    const forget = Object.fromEntries(
      CANARY_KINDS.map((k) => [k, encode(splits.canaries[k], config.seqLen)]),
    ) as Record<CanaryKind, Encoded>;

    // Both models start from the same initial weights and batch stream.
    const init = initFlat(shape, rng.fork("init")).theta;
    const models: Record<string, Float32Array> = {};
    for (const [index, [name, data]] of [
      ["original", originalData],
      ["retrained", retrainedData],
    ].entries() as IterableIterator<[number, [string, Encoded]]>) {
      models[name] = trainModel({
        step: trainStep,
        theta: init,
        data,
        steps: config.trainSteps,
        batchSize: config.batchSize,
        learningRate: config.learningRate,
        weightDecay: config.weightDecay,
        rng: rng.fork("batches"),
        every: Math.max(1, Math.floor(config.trainSteps / 20)),
        onLog: (step, loss) => {
          ctx.metric({ kind: "train", seed, model: name, step, loss });
          ctx.progress({
            stage: `seed ${seed}: train ${name}`,
            done: s * jobsPerSeed + index + step / config.trainSteps,
            total: config.seeds * jobsPerSeed,
          });
        },
      });
    }

    const originalTest = scoreSet(scorer, models.original, test, config);
    const retrainedTest = scoreSet(scorer, models.retrained, test, config);
    before.push(originalTest.nll);
    retrainedNll.push(retrainedTest.nll);
    const originalRetain = scoreSet(scorer, models.original, retain, config);
    unlearner.settings.stopRise = Math.max(0, originalTest.nll - originalRetain.nll);
    rises.push(unlearner.settings.stopRise);
    ctx.metric({
      kind: "models",
      seed,
      testNllOriginal: originalTest.nll,
      testNllRetrained: retrainedTest.nll,
      retainNllOriginal: originalRetain.nll,
    });

    let job = 2;
    for (const kind of CANARY_KINDS) {
      const originalForget = scoreSet(scorer, models.original, forget[kind], config);
      const retrainedForget = scoreSet(scorer, models.retrained, forget[kind], config);
      for (const method of methods) {
        ctx.progress({
          stage: `seed ${seed}: unlearn ${kind} canaries`,
          done: s * jobsPerSeed + job++,
          total: config.seeds * jobsPerSeed,
          message: method,
        });
        const result = unlearner.run(
          method,
          models.original,
          forget[kind],
          retain,
          rng.fork(`unlearn-${kind}-${method}`),
        );
        const unlearnedForget = scoreSet(scorer, result.theta, forget[kind], config);
        const unlearnedTest = scoreSet(scorer, result.theta, test, config);
        const key = `${method}|${kind}`;
        const u = utilityRuns.get(key) ?? { after: [], steps: [], stopped: 0, forget: [] };
        u.after.push(Math.exp(unlearnedTest.nll));
        u.steps.push(result.steps);
        u.forget.push(unlearnedForget.nll);
        if (result.stopped) u.stopped++;
        utilityRuns.set(key, u);
        for (const attack of ATTACKS) {
          const cell: SeedCell = {
            auc: rocAuc(unlearnedForget.scores[attack], unlearnedTest.scores[attack]),
            aucRetrained: rocAuc(retrainedForget.scores[attack], retrainedTest.scores[attack]),
            aucOriginal: rocAuc(originalForget.scores[attack], originalTest.scores[attack]),
            tpr: tprAtFpr(
              unlearnedForget.scores[attack],
              unlearnedTest.scores[attack],
              config.fprLevel,
            ),
            tprRetrained: tprAtFpr(
              retrainedForget.scores[attack],
              retrainedTest.scores[attack],
              config.fprLevel,
            ),
          };
          const cellKey = `${method}|${attack}|${kind}`;
          perSeed.set(cellKey, [...(perSeed.get(cellKey) ?? []), cell]);
          ctx.metric({
            kind: "cell",
            seed,
            method,
            attack,
            canary: kind,
            leakage: Math.abs(cell.auc - cell.aucRetrained),
            ...cell,
            steps: result.steps,
            stopped: result.stopped,
            stopRule: stopsOnForgetLoss(method)
              ? "forget NLL rise >= generalisation gap"
              : "budget",
            forgetNllStart: result.forgetNllStart,
            forgetNllEnd: result.forgetNllEnd,
            perplexityAfter: Math.exp(unlearnedTest.nll),
          });
        }
      }
    }
  }
  scorer.dispose();
  trainStep.dispose();
  unlearner.dispose();
  ctx.progress({ stage: "done", done: 1, total: 1 });

  const details: CellDetail[] = [];
  for (const method of methods) {
    for (const attack of ATTACKS) {
      for (const canary of CANARY_KINDS) {
        const runs = perSeed.get(`${method}|${attack}|${canary}`) ?? [];
        const leak = runs.map((r) => Math.abs(r.auc - r.aucRetrained));
        details.push({
          method,
          attack,
          canary,
          leakage: mean(leak),
          auc: mean(runs.map((r) => r.auc)),
          aucRetrained: mean(runs.map((r) => r.aucRetrained)),
          leakageSd: sd(leak),
          leakagePerSeed: leak,
          aucOriginal: mean(runs.map((r) => r.aucOriginal)),
          tpr: mean(runs.map((r) => r.tpr)),
          tprRetrained: mean(runs.map((r) => r.tprRetrained)),
        });
      }
    }
  }
  const cells: Cell[] = details.map((d) => ({
    method: d.method,
    attack: d.attack,
    canary: d.canary,
    leakage: d.leakage,
    auc: d.auc,
    aucRetrained: d.aucRetrained,
  }));
  const ratio = (kind: CanaryKind): Ratio[] =>
    methods.flatMap((method) =>
      ATTACKS.map((attack) => {
        const find = (c: CanaryKind) =>
          cells.find((x) => x.method === method && x.attack === attack && x.canary === c)
            ?.leakage ?? Number.NaN;
        return { method, attack, ratio: find(kind) / find("random") };
      }),
    );
  const minorityOverRandom = ratio("minority");
  const utility: Utility[] = methods.flatMap((method) =>
    CANARY_KINDS.map((canary) => {
      const u = utilityRuns.get(`${method}|${canary}`);
      return {
        method,
        canary,
        perplexityBefore: mean(before.map(Math.exp)),
        perplexityAfter: u ? mean(u.after) : Number.NaN,
        perplexityRetrained: mean(retrainedNll.map(Math.exp)),
        meanSteps: u ? mean(u.steps) : 0,
        stoppedRuns: u?.stopped ?? 0,
        forgetNllAfter: u ? mean(u.forget) : Number.NaN,
      };
    }),
  );
  return {
    cells,
    minorityOverRandom,
    plantedOverRandom: ratio("planted"),
    minorityAtLeast1_2x: {
      count: minorityOverRandom.filter((r) => r.ratio >= 1.2).length,
      of: minorityOverRandom.length,
    },
    details,
    utility,
    pii,
    plantedValue,
    minorityValues,
    seeds,
    parameters: layout.size,
    testNll: { original: mean(before), retrained: mean(retrainedNll) },
    stopRise: mean(rises),
    seconds: (performance.now() - began) / 1000,
  };
}
