// Study `omnisr`: super-resolution of 360-degree equirectangular images by an
// unfolded network of learned gradient steps, against bicubic and plain
// gradient descent / back-projection, on real CC0 ERP photographs.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { Study, StudyContext } from "../../core/study.js";
import { type CropPanel, makeCrops } from "./crops.js";
import { dataDir, listImages, shrinkTo, split } from "./dataset.js";
import { baselineMethods, evaluate, type Method, makeCases, type TableRow } from "./evaluate.js";
import { readPng } from "./image.js";
import type { Architecture } from "./model.js";
import { encodeModels, readModels, type StoredModel } from "./model-file.js";
import { omnisrReport } from "./report.js";
import { train } from "./train.js";
import { upscaleWithModel } from "./upscale.js";

/** The model shipped with the repository (trained by the full preset). */
export const shippedModelPath = fileURLToPath(
  new URL("../../../data/omnisr/model.omnisr", import.meta.url),
);

const scaleSchema = z.union([z.literal(2), z.literal(4)]);

const configSchema = z.object({
  scales: z.array(scaleSchema).min(1).default([2, 4]),
  trainImages: z.number().int().min(1).max(20).default(20),
  trainWidth: z.union([z.literal(256), z.literal(512), z.literal(1024)]).default(1024),
  testImages: z.number().int().min(1).max(5).default(5),
  testWidth: z.union([z.literal(256), z.literal(512), z.literal(1024)]).default(1024),
  steps: z.number().int().min(0).default(300),
  batch: z.number().int().min(1).default(8),
  crop: z.number().int().min(16).default(48),
  features: z.number().int().min(1).default(32),
  stages: z.number().int().min(0).max(8).default(3),
  learningRate: z.number().positive().default(1e-3),
  realisticFraction: z.number().min(0).max(1).default(0.5),
  gdSteps: z.number().int().min(0).default(10),
  /** Train the three ablations (K = 0, no alignment, no latitude) at x4. */
  ablations: z.boolean().default(true),
  /** Evaluate the shipped model file instead of the networks trained in this run. */
  useShippedModel: z.boolean().default(false),
});

export type OmnisrConfig = z.infer<typeof configSchema>;

export interface TrainRecord {
  model: string;
  steps: number;
  finalLoss: number;
  seconds: number;
}

export interface OmnisrSummary {
  table: TableRow[];
  train: TrainRecord;
  trainedModels: TrainRecord[];
  modelSource: string;
  testImages: string[];
  testSize: string;
  degradations: { image: string; scale: number; params: Record<string, number> }[];
  margins: { scale: number; degradation: string; overBicubic: number; overGd: number }[];
  crops: CropPanel[];
  /** Every evaluated network with the steps it was trained for. */
  evaluatedModels: { name: string; trainSteps: number; finalLoss: number }[];
}

const ABLATIONS: { name: string; change: Partial<Architecture> }[] = [
  { name: "unfolded-K0", change: { stages: 0 } },
  { name: "unfolded-no-align", change: { alignment: false } },
  { name: "unfolded-no-latitude", change: { latitude: false } },
];

// A final loss averaged over the last tenth of the steps, less noisy than the last batch.
function tailMean(losses: number[]): number {
  if (losses.length === 0) return Number.NaN;
  const tail = losses.slice(-Math.max(1, Math.floor(losses.length / 10)));
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

async function run(config: OmnisrConfig, ctx: StudyContext): Promise<OmnisrSummary> {
  const names = split(listImages());
  const trainNames = names.train.slice(0, config.trainImages);
  const testNames = names.test.slice(0, config.testImages);
  const load = (name: string, width: number) => shrinkTo(readPng(`${dataDir}/${name}`), width);
  const trainSet = trainNames.map((name, i) => {
    ctx.progress({ stage: "load", done: i, total: trainNames.length });
    return load(name, config.trainWidth);
  });
  const testSet = testNames.map((name) => ({ name, hr: load(name, config.testWidth) }));

  // Training: the full network per scale, and the ablations at x4.
  const jobs: { name: string; arch: Architecture }[] = [];
  const base = (scale: number): Architecture => ({
    scale,
    stages: config.stages,
    features: config.features,
    alignment: true,
    latitude: true,
  });
  const trainScales = config.useShippedModel
    ? [config.scales[config.scales.length - 1]]
    : config.scales;
  for (const s of trainScales) {
    jobs.push({
      name: config.useShippedModel ? `unfolded-fresh-x${s}` : `unfolded-x${s}`,
      arch: base(s),
    });
  }
  if (config.ablations && !config.useShippedModel && config.scales.includes(4)) {
    for (const a of ABLATIONS)
      jobs.push({ name: `${a.name}-x4`, arch: { ...base(4), ...a.change } });
  }
  const trained: StoredModel[] = [];
  const records: TrainRecord[] = [];
  for (const job of jobs) {
    const result = train(
      job.arch,
      trainSet,
      {
        steps: config.steps,
        batch: config.batch,
        crop: config.crop,
        learningRate: config.learningRate,
        realisticFraction: config.realisticFraction,
      },
      ctx.rng.fork(job.name),
      (step, loss) => {
        ctx.metric({ stage: "train", model: job.name, step, loss });
        ctx.progress({ stage: `train ${job.name}`, done: step + 1, total: config.steps });
      },
    );
    const finalLoss = tailMean(result.losses);
    trained.push({
      name: job.name,
      arch: job.arch,
      trainSteps: config.steps,
      finalLoss,
      params: result.params,
    });
    records.push({ model: job.name, steps: config.steps, finalLoss, seconds: result.seconds });
  }
  if (!config.useShippedModel && trained.length > 0)
    ctx.artifact("model.omnisr", encodeModels(trained));

  // The networks to evaluate: this run's, or the shipped file's plus the fresh one.
  let evaluated: StoredModel[] = trained;
  let modelSource = "trained in this run";
  if (config.useShippedModel) {
    if (!existsSync(shippedModelPath)) {
      throw new Error(
        `the shipped model ${shippedModelPath} is missing; run the full preset to make one`,
      );
    }
    evaluated = [...readModels(shippedModelPath), ...trained];
    modelSource =
      "shipped data/omnisr/model.omnisr (trained by make-model.ts with the full preset's settings), plus a fresh tiny training run";
  }
  const methods: Method[] = baselineMethods(config.gdSteps, config.stages);
  const byLabel = new Map<string, StoredModel[]>();
  for (const m of evaluated) {
    const label = m.name.replace(/-x[24]$/, "");
    byLabel.set(label, [...(byLabel.get(label) ?? []), m]);
  }
  for (const [label, models] of byLabel) {
    methods.push({
      name: label,
      upscale: (lr, s) => {
        const m = models.find((x) => x.arch.scale === s);
        return m ? upscaleWithModel(m, lr) : null;
      },
    });
  }

  const cases = makeCases(testSet, config.scales, ctx.rng.fork("test"));
  let done = 0;
  const table = evaluate(methods, cases, (record) => {
    ctx.metric({ stage: "eval", ...record });
    ctx.progress({ stage: "evaluate", done: ++done, total: methods.length * cases.length });
  });

  const find = (method: string, scale: number, degradation: string) =>
    table.find((r) => r.method === method && r.scale === scale && r.degradation === degradation);
  const margins: OmnisrSummary["margins"] = [];
  for (const s of config.scales) {
    for (const d of ["bicubic", "realistic"]) {
      const ours = find("unfolded", s, d);
      const bic = find("bicubic", s, d);
      const gd = find("gd", s, d);
      if (ours && bic && gd) {
        margins.push({
          scale: s,
          degradation: d,
          overBicubic: ours.wsPsnr - bic.wsPsnr,
          overGd: ours.wsPsnr - gd.wsPsnr,
        });
      }
    }
  }

  const main = evaluated.find((m) => m.name === "unfolded-x4") ?? evaluated[0];
  const cropCase = cases.find((c) => c.scale === main?.arch.scale && c.degradation === "bicubic");
  const crops = main && cropCase ? makeCrops(cropCase, (lr) => upscaleWithModel(main, lr)) : [];
  const mainRecord = records.find((r) => r.model.endsWith("x4")) ?? records[0];
  return {
    table,
    train: mainRecord ?? { model: "none", steps: 0, finalLoss: Number.NaN, seconds: 0 },
    trainedModels: records,
    modelSource,
    testImages: testNames,
    testSize: `${config.testWidth}x${config.testWidth / 2}`,
    degradations: cases
      .filter((c) => c.params)
      .map((c) => ({
        image: c.image,
        scale: c.scale,
        params: { ...c.params } as Record<string, number>,
      })),
    margins,
    crops,
    evaluatedModels: evaluated.map((m) => ({
      name: m.name,
      trainSteps: m.trainSteps,
      finalLoss: m.finalLoss,
    })),
  };
}

export const study: Study<OmnisrConfig, OmnisrSummary> = {
  name: "omnisr",
  summary:
    "360-degree image super-resolution by an unfolded network of learned gradient steps vs bicubic and back-projection",
  paper:
    "Sheng et al., RealOSR: Latent Unfolding Boosting Diffusion-based Real-world Omnidirectional Image Super-Resolution (2024/2025)",
  config: configSchema,
  presets: {
    quick: {
      trainImages: 3,
      trainWidth: 512,
      testImages: 2,
      testWidth: 256,
      steps: 8,
      batch: 4,
      crop: 32,
      ablations: false,
      useShippedModel: true,
    },
    full: {},
  },
  run,
  report: omnisrReport,
};
