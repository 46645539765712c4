// The audit's units of work, as executor tasks: train one model of one seed
// and score it, or unlearn one canary set with one method and score the
// result. Each task rebuilds its seed's splits from the run seed, so a task
// depends on its input only and runs the same in this thread or a worker.
import { Rng } from "../../core/rng.js";
import { ATTACKS, type AttackName, attackScore } from "./attacks.js";
import {
  buildDocs,
  CANARY_KINDS,
  type CanaryKind,
  type CorpusPii,
  countPii,
  type Doc,
  makeSplits,
  type PiiCounts,
  type Splits,
  scanCorpus,
  unusedAreaCode,
  unusedDomain,
} from "./canaries.js";
import type { Config } from "./config.js";
import { loadCorpus, type Message } from "./corpus.js";
import { initFlat, type Layout, type ModelShape } from "./model.js";
import {
  type Encoded,
  encode,
  makeScorer,
  makeTrainStep,
  rowLogProbs,
  type Scorer,
  setNll,
  type TrainStep,
  trainModel,
} from "./train.js";
import { type Method, Unlearner } from "./unlearn.js";

/** Attack scores of every text of a set, and the set's mean per-token NLL. */
export interface Scored {
  scores: Record<AttackName, number[]>;
  nll: number;
}

/** What every task is told: the settings, the run's seed and the repetition's seed. */
export interface JobBase {
  config: Config;
  runSeed: number;
  seed: number;
}

export type ModelName = "original" | "retrained";

export interface TrainInput extends JobBase {
  model: ModelName;
}

export interface TrainOutput {
  theta: Float32Array;
  /** Mean training loss at each log point. */
  log: { step: number; loss: number }[];
  test: Scored;
  /** Scored for the original model only (its retain NLL sets the stop rule). */
  retain: Scored | null;
  forget: Record<CanaryKind, Scored>;
  seconds: number;
}

export interface UnlearnInput extends JobBase {
  kind: CanaryKind;
  method: Method;
  original: Float32Array;
  stopRise: number;
}

export interface UnlearnOutput {
  steps: number;
  stopped: boolean;
  forgetNllStart: number;
  forgetNllEnd: number;
  forget: Scored;
  test: Scored;
  seconds: number;
}

/** The corpus facts every task and the report share. */
export interface CorpusFacts {
  pii: PiiCounts;
  plantedValue: string;
  plantedAreaCode: string;
}

interface Corpus {
  messages: Message[];
  scan: CorpusPii;
  frequencies: Map<string, number>;
  plantedValue: string;
  plantedAreaCode: string;
  docs: Map<number, Doc[]>;
  facts: Map<number, CorpusFacts>;
}

let corpus: Corpus | null = null;

function loadShared(): Corpus {
  if (!corpus) {
    const messages = loadCorpus();
    const scan = scanCorpus(messages);
    corpus = {
      messages,
      scan,
      frequencies: scan.frequencies,
      plantedValue: unusedDomain(messages),
      plantedAreaCode: unusedAreaCode(scan.frequencies),
      docs: new Map(),
      facts: new Map(),
    };
  }
  return corpus;
}

function docsFor(seqLen: number): Doc[] {
  const c = loadShared();
  let docs = c.docs.get(seqLen);
  if (!docs) {
    docs = buildDocs(c.messages, seqLen);
    c.docs.set(seqLen, docs);
  }
  return docs;
}

/** PII counts over the corpus and the documents cut to `seqLen`, and the planted values. */
export function corpusFacts(seqLen: number): CorpusFacts {
  const c = loadShared();
  let facts = c.facts.get(seqLen);
  if (!facts) {
    facts = {
      pii: countPii(c.messages, c.scan, docsFor(seqLen)),
      plantedValue: c.plantedValue,
      plantedAreaCode: c.plantedAreaCode,
    };
    c.facts.set(seqLen, facts);
  }
  return facts;
}

export function modelShape(config: Config): ModelShape {
  return {
    seqLen: config.seqLen,
    width: config.width,
    layers: config.layers,
    heads: config.heads,
  };
}

/** The generator of one repetition (the same streams the audit has always used). */
export function seedRng(runSeed: number, seed: number): Rng {
  return new Rng(runSeed).fork(`seed${seed}`);
}

/** One repetition's splits and their encodings. */
export interface Prepared {
  splits: Splits;
  originalData: Encoded;
  retrainedData: Encoded;
  retain: Encoded;
  test: Encoded;
  forget: Record<CanaryKind, Encoded>;
}

const preparedCache = new Map<string, Prepared>();

/** Draws a repetition's canaries and splits (cached: the tasks of a seed share them). */
export function prepare(config: Config, runSeed: number, seed: number): Prepared {
  const key = JSON.stringify([config.seqLen, config.canarySize, config.splitSize, runSeed, seed]);
  const hit = preparedCache.get(key);
  if (hit) return hit;
  const c = loadShared();
  const splits = makeSplits({
    docs: docsFor(config.seqLen),
    frequencies: c.frequencies,
    plantedValue: c.plantedValue,
    plantedAreaCode: c.plantedAreaCode,
    size: config.canarySize,
    splitSize: config.splitSize,
    length: config.seqLen,
    rng: seedRng(runSeed, seed).fork("splits"),
  });
  const canaryTexts = CANARY_KINDS.flatMap((k) => splits.canaries[k]);
  const prepared: Prepared = {
    splits,
    originalData: encode([...splits.train, ...splits.retain, ...canaryTexts], config.seqLen),
    retrainedData: encode([...splits.train, ...splits.retain], config.seqLen),
    retain: encode(splits.retain, config.seqLen),
    test: encode(splits.test, config.seqLen),
    forget: Object.fromEntries(
      CANARY_KINDS.map((k) => [k, encode(splits.canaries[k], config.seqLen)]),
    ) as Record<CanaryKind, Encoded>,
  };
  // a worker holds a few seeds at most
  if (preparedCache.size >= 4) preparedCache.delete(preparedCache.keys().next().value as string);
  preparedCache.set(key, prepared);
  return prepared;
}

interface Compiled {
  layout: Layout;
  trainStep: TrainStep;
  scorer: Scorer;
  unlearner: Unlearner;
}

let compiled: { key: string; value: Compiled } | null = null;

/** Compiled functions for the config's shape, reused by every task with the same settings. */
function compiledFor(config: Config, runSeed: number): Compiled {
  const key = JSON.stringify({ ...config, workers: 0, seeds: 0, runSeed });
  if (compiled?.key === key) return compiled.value;
  disposeCompiled();
  const layout = initFlat(modelShape(config), new Rng(runSeed).fork("shape")).layout;
  const value: Compiled = {
    layout,
    // one compiled chunk shape: a whole canary set, and the test split in pieces of that size
    scorer: makeScorer(layout, config.canarySize),
    trainStep: makeTrainStep(layout),
    unlearner: new Unlearner({
      layout,
      heads: config.heads,
      npoBeta: config.npoBeta,
      steps: config.unlearnSteps,
      batchSize: config.unlearnBatch,
      learningRate: config.unlearnLr,
      k: config.k,
      stopRise: 0,
    }),
  };
  compiled = { key, value };
  return value;
}

/** Frees what this thread holds for tasks: compiled functions and cached splits. */
export function releaseJobs(): void {
  preparedCache.clear();
  disposeCompiled();
}

function disposeCompiled(): void {
  if (!compiled) return;
  compiled.value.scorer.dispose();
  compiled.value.trainStep.dispose();
  compiled.value.unlearner.dispose();
  compiled = null;
}

/** Scores every text of a set under the parameters with each attack. */
export function scoreSet(
  scorer: Scorer,
  theta: Float32Array,
  data: Encoded,
  minKFraction: number,
): Scored {
  const all = scorer.tokenLogProbs(theta, data);
  const scores = { loss: [], zlib: [], mink: [] } as Record<AttackName, number[]>;
  for (let row = 0; row < data.count; row++) {
    const lp = rowLogProbs(all, data, row);
    for (const a of ATTACKS) scores[a].push(attackScore(a, lp, data.texts[row], minKFraction));
  }
  return { scores, nll: setNll(all, data) };
}

/** Task: trains the original (train + retain + canaries) or retrained (train + retain) model and scores it. */
export function trainTask(
  input: TrainInput,
  report: (update: { step: number; loss: number }) => void = () => {},
): TrainOutput {
  const began = performance.now();
  const { config, runSeed, seed, model } = input;
  const data = prepare(config, runSeed, seed);
  const { layout, trainStep, scorer } = compiledFor(config, runSeed);
  const rng = seedRng(runSeed, seed);
  // Both models start from the same initial weights and batch stream.
  const init = initFlat(layout.shape, rng.fork("init")).theta;
  const log: TrainOutput["log"] = [];
  const theta = trainModel({
    step: trainStep,
    theta: init,
    data: model === "original" ? data.originalData : data.retrainedData,
    steps: config.trainSteps,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    weightDecay: config.weightDecay,
    rng: rng.fork("batches"),
    every: Math.max(1, Math.floor(config.trainSteps / 20)),
    onLog: (step, loss) => {
      log.push({ step, loss });
      report({ step, loss });
    },
  });
  const score = (set: Encoded) => scoreSet(scorer, theta, set, config.minKFraction);
  return {
    theta,
    log,
    test: score(data.test),
    retain: model === "original" ? score(data.retain) : null,
    forget: Object.fromEntries(CANARY_KINDS.map((k) => [k, score(data.forget[k])])) as Record<
      CanaryKind,
      Scored
    >,
    seconds: (performance.now() - began) / 1000,
  };
}

/** Task: unlearns one canary set from the original model with one method and scores the result. */
export function unlearnTask(input: UnlearnInput): UnlearnOutput {
  const began = performance.now();
  const { config, runSeed, seed, kind, method } = input;
  const data = prepare(config, runSeed, seed);
  const { scorer, unlearner } = compiledFor(config, runSeed);
  unlearner.settings.stopRise = input.stopRise;
  const result = unlearner.run(
    method,
    input.original,
    data.forget[kind],
    data.retain,
    seedRng(runSeed, seed).fork(`unlearn-${kind}-${method}`),
  );
  return {
    steps: result.steps,
    stopped: result.stopped,
    forgetNllStart: result.forgetNllStart,
    forgetNllEnd: result.forgetNllEnd,
    forget: scoreSet(scorer, result.theta, data.forget[kind], config.minKFraction),
    test: scoreSet(scorer, result.theta, data.test, config.minKFraction),
    seconds: (performance.now() - began) / 1000,
  };
}
