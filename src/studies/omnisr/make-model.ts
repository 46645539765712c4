// Script (not library code) that trains the networks shipped in
// data/omnisr/model.omnisr, one job per process so jobs can run side by side:
//   npx tsx src/studies/omnisr/make-model.ts train <job> <steps> [resume]
//   npx tsx src/studies/omnisr/make-model.ts merge
// Jobs: unfolded-x2, unfolded-x4, unfolded-K0-x4, unfolded-no-align-x4,
// unfolded-no-latitude-x4. Settings are the full preset's (index.ts).
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Rng } from "../../core/rng.js";
import { dataDir, listImages, shrinkTo, split } from "./dataset.js";
import { readPng } from "./image.js";
import type { Architecture } from "./model.js";
import { encodeModels, readModels } from "./model-file.js";
import { train } from "./train.js";

const outDir = fileURLToPath(new URL("../../../data/omnisr", import.meta.url));
const partsDir = `${outDir}/parts`;

function archFor(job: string): Architecture {
  const scale = job.endsWith("x2") ? 2 : 4;
  const arch: Architecture = { scale, stages: 3, features: 32, alignment: true, latitude: true };
  if (job.includes("K0")) arch.stages = 0;
  if (job.includes("no-align")) arch.alignment = false;
  if (job.includes("no-latitude")) arch.latitude = false;
  return arch;
}

const [command, job, stepsText, resume] = process.argv.slice(2);
if (command === "train" && job) {
  const steps = Number(stepsText ?? 300);
  const names = split(listImages()).train;
  const images = names.map((n) => shrinkTo(readPng(`${dataDir}/${n}`), 1024));
  const arch = archFor(job);
  // `resume` continues the saved part with a fresh warm-up and cosine cycle.
  const previous = resume ? readModels(`${partsDir}/${job}.omnisr`)[0] : undefined;
  const done = previous?.trainSteps ?? 0;
  // The same seed derivation as the study's run with seed 0 (a new stream per cycle).
  const rng = new Rng(0).fork(done ? `${job}-from-${done}` : job);
  const result = train(
    arch,
    images,
    { steps, batch: 8, crop: 48, learningRate: 1e-3, realisticFraction: 0.5 },
    rng,
    (step, loss, params) => {
      if (step % 10 === 0) process.stdout.write(`${job} step ${step} loss ${loss.toFixed(6)}\n`);
      // Checkpoint every 10 steps so a run cut short still leaves its weights.
      if ((step + 1) % 10 === 0 && step + 1 < steps) {
        mkdirSync(partsDir, { recursive: true });
        const bytes = encodeModels([
          { name: job, arch, trainSteps: done + step + 1, finalLoss: loss, params },
        ]);
        writeFileSync(`${partsDir}/${job}.omnisr`, bytes);
      }
    },
    previous?.params,
  );
  const tail = result.losses.slice(-Math.max(1, Math.floor(steps / 10)));
  const finalLoss = tail.reduce((a, b) => a + b, 0) / tail.length;
  mkdirSync(partsDir, { recursive: true });
  writeFileSync(
    `${partsDir}/${job}.omnisr`,
    encodeModels([{ name: job, arch, trainSteps: done + steps, finalLoss, params: result.params }]),
  );
  process.stdout.write(
    `${job}: ${steps} steps in ${result.seconds.toFixed(0)} s, final loss ${finalLoss}\n`,
  );
} else if (command === "merge") {
  const parts = readdirSync(partsDir)
    .filter((f) => f.endsWith(".omnisr"))
    .sort();
  const models = parts.flatMap((f) => readModels(`${partsDir}/${f}`));
  writeFileSync(`${outDir}/model.omnisr`, encodeModels(models));
  process.stdout.write(
    `merged ${models.map((m) => m.name).join(", ")} into ${outDir}/model.omnisr\n`,
  );
} else {
  process.stderr.write("usage: make-model.ts train <job> <steps> | merge\n");
  process.exitCode = 2;
}
