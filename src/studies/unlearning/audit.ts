// The audit: train the original model (train + retain + canaries) and the
// retrained reference (train + retain), unlearn each canary set with each
// method, attack, and compare: leakage = |AUC(unlearned) - AUC(retrained)|.
// Models and unlearning runs are executor tasks (jobs.ts): in this thread,
// or spread over worker threads with the `workers` setting.
import { type Task, withExecutor } from "../../core/executor.js";
import { Rng } from "../../core/rng.js";
import type { StudyContext } from "../../core/study.js";
import { ATTACKS, type AttackName, rocAuc, tprAtFpr } from "./attacks.js";
import { CANARY_KINDS, type CanaryKind, type PiiCounts } from "./canaries.js";
import type { Config } from "./config.js";
import {
  corpusFacts,
  type ModelName,
  modelShape,
  prepare,
  releaseJobs,
  type TrainInput,
  type TrainOutput,
  type UnlearnInput,
  type UnlearnOutput,
} from "./jobs.js";
import { initFlat } from "./model.js";

import { type Method, stopsOnForgetLoss } from "./unlearn.js";

const JOBS = new URL("./jobs.ts", import.meta.url).href;

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
  plantedAreaCode: string;
  minorityValues: string[];
  seeds: number[];
  parameters: number;
  /** Mean per-token NLL on the test split: original, retrained; and the stop target. */
  testNll: { original: number; retrained: number };
  /** Mean rise of the forget NLL at which ascent-type methods stop. */
  stopRise: number;
  /** Each seed's original-model test NLL minus retain NLL (the stop target where positive). */
  generalisationGaps: number[];
  seconds: number;
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
  const facts = corpusFacts(config.seqLen);
  const parameters = initFlat(modelShape(config), new Rng(ctx.seed).fork("shape")).layout.size;
  const seeds = Array.from({ length: config.seeds }, (_, s) => ctx.seed + s);
  // draw every seed's splits here first, so that a too-large setting fails before any training
  const minorityValues = prepare(config, ctx.seed, seeds[0]).splits.canaryValues.minority;
  for (const seed of seeds.slice(1)) prepare(config, ctx.seed, seed);

  const trainTasks: Task<TrainInput>[] = seeds.flatMap((seed) =>
    (["original", "retrained"] as ModelName[]).map((model) => ({
      module: JOBS,
      fn: "trainTask",
      input: { config, runSeed: ctx.seed, seed, model },
    })),
  );
  const unlearnCount = seeds.length * CANARY_KINDS.length * methods.length;
  const total = trainTasks.length + unlearnCount;
  let done = 0;
  const where = config.workers > 0 ? ` on ${config.workers} workers` : "";

  return withExecutor(config.workers, async (executor) => {
    const trainStage = `train ${trainTasks.length} models${where}`;
    ctx.progress({ stage: trainStage, done, total });
    // the fraction of its steps each model has taken, for a progress bar that moves mid-task
    const partial = new Map<number, number>();
    const partialSum = () => [...partial.values()].reduce((a, b) => a + b, 0);
    const trained = await executor.map<TrainInput, TrainOutput>(
      trainTasks,
      (i, out) => {
        const { seed, model } = trainTasks[i].input;
        for (const point of out.log) ctx.metric({ kind: "train", seed, model, ...point });
        partial.delete(i);
        done++;
        ctx.progress({
          stage: trainStage,
          done: done + partialSum(),
          total,
          message: `seed ${seed} ${model}: ${out.seconds.toFixed(0)} s`,
        });
      },
      (i, update) => {
        const { step, loss } = update as { step: number; loss: number };
        const { seed, model } = trainTasks[i].input;
        partial.set(i, step / config.trainSteps);
        ctx.progress({
          stage: trainStage,
          done: done + partialSum(),
          total,
          message: `seed ${seed} ${model}: step ${step}, loss ${loss.toFixed(3)}`,
        });
      },
    );
    const models = new Map<string, TrainOutput>();
    for (const [i, t] of trainTasks.entries()) {
      models.set(`${t.input.seed}|${t.input.model}`, trained[i]);
    }

    const before: number[] = [];
    const retrainedNll: number[] = [];
    const rises: number[] = [];
    const gaps: number[] = [];
    const stopRise = new Map<number, number>();
    for (const seed of seeds) {
      const original = models.get(`${seed}|original`) as TrainOutput;
      const retrained = models.get(`${seed}|retrained`) as TrainOutput;
      const retainNll = original.retain?.nll ?? Number.NaN;
      // ascent-type methods stop once the forget NLL has risen by the
      // generalisation gap; a negative gap (an undertrained model) gives 0: one step
      const gap = original.test.nll - retainNll;
      const rise = Math.max(0, gap);
      gaps.push(gap);
      stopRise.set(seed, rise);
      before.push(original.test.nll);
      retrainedNll.push(retrained.test.nll);
      rises.push(rise);
      ctx.metric({
        kind: "models",
        seed,
        testNllOriginal: original.test.nll,
        testNllRetrained: retrained.test.nll,
        retainNllOriginal: retainNll,
      });
    }

    const unlearnTasks: Task<UnlearnInput>[] = seeds.flatMap((seed) =>
      CANARY_KINDS.flatMap((kind) =>
        methods.map((method) => ({
          module: JOBS,
          fn: "unlearnTask",
          input: {
            config,
            runSeed: ctx.seed,
            seed,
            kind,
            method,
            original: (models.get(`${seed}|original`) as TrainOutput).theta,
            stopRise: stopRise.get(seed) as number,
          },
        })),
      ),
    );
    const perSeed = new Map<string, SeedCell[]>();
    const utilityRuns = new Map<
      string,
      { after: number[]; steps: number[]; stopped: number; forget: number[] }
    >();
    const stage = `unlearn: ${unlearnCount} runs (${methods.length} methods x 3 canary sets x ${seeds.length} seeds)${where}`;
    ctx.progress({ stage, done, total });
    const unlearned = await executor.map<UnlearnInput, UnlearnOutput>(unlearnTasks, (i, out) => {
      const { seed, kind, method } = unlearnTasks[i].input;
      ctx.progress({
        stage,
        done: ++done,
        total,
        message: `seed ${seed} ${kind} ${method}: ${out.seconds.toFixed(0)} s`,
      });
    });
    unlearnTasks.forEach((task, i) => {
      const { seed, kind, method } = task.input;
      const result = unlearned[i];
      const original = models.get(`${seed}|original`) as TrainOutput;
      const retrained = models.get(`${seed}|retrained`) as TrainOutput;
      const key = `${method}|${kind}`;
      const u = utilityRuns.get(key) ?? { after: [], steps: [], stopped: 0, forget: [] };
      u.after.push(Math.exp(result.test.nll));
      u.steps.push(result.steps);
      u.forget.push(result.forget.nll);
      if (result.stopped) u.stopped++;
      utilityRuns.set(key, u);
      for (const attack of ATTACKS) {
        const cell: SeedCell = {
          auc: rocAuc(result.forget.scores[attack], result.test.scores[attack]),
          aucRetrained: rocAuc(
            retrained.forget[kind].scores[attack],
            retrained.test.scores[attack],
          ),
          aucOriginal: rocAuc(original.forget[kind].scores[attack], original.test.scores[attack]),
          tpr: tprAtFpr(result.forget.scores[attack], result.test.scores[attack], config.fprLevel),
          tprRetrained: tprAtFpr(
            retrained.forget[kind].scores[attack],
            retrained.test.scores[attack],
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
          stopRule: stopsOnForgetLoss(method) ? "forget NLL rise >= generalisation gap" : "budget",
          forgetNllStart: result.forgetNllStart,
          forgetNllEnd: result.forgetNllEnd,
          perplexityAfter: Math.exp(result.test.nll),
        });
      }
    });
    // in this thread, free the compiled functions (worker threads end with the executor)
    if (config.workers === 0) releaseJobs();
    ctx.progress({ stage: "done", done: total, total });
    return summarise({
      config,
      methods,
      perSeed,
      utilityRuns,
      before,
      retrainedNll,
      rises,
      gaps,
      seeds,
      minorityValues,
      parameters,
      pii: facts.pii,
      plantedValue: facts.plantedValue,
      plantedAreaCode: facts.plantedAreaCode,
      began,
    });
  });
}

function summarise(r: {
  config: Config;
  methods: Method[];
  perSeed: Map<string, SeedCell[]>;
  utilityRuns: Map<string, { after: number[]; steps: number[]; stopped: number; forget: number[] }>;
  before: number[];
  retrainedNll: number[];
  rises: number[];
  gaps: number[];
  seeds: number[];
  minorityValues: string[];
  parameters: number;
  pii: PiiCounts;
  plantedValue: string;
  plantedAreaCode: string;
  began: number;
}): Summary {
  const { methods, perSeed, utilityRuns, before, retrainedNll, rises } = r;
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
    pii: r.pii,
    plantedValue: r.plantedValue,
    plantedAreaCode: r.plantedAreaCode,
    minorityValues: r.minorityValues,
    seeds: r.seeds,
    parameters: r.parameters,
    testNll: { original: mean(before), retrained: mean(retrainedNll) },
    stopRise: mean(rises),
    generalisationGaps: r.gaps,
    seconds: (performance.now() - r.began) / 1000,
  };
}
