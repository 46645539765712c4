// Worker thread body: scores batches of sequences against a target (see score-pool.ts).
import { parentPort } from "node:worker_threads";
import { defaultModel } from "./fold.js";
import { type Objective, score } from "./objective.js";
import { encodeSequence, parseStructure } from "./sequence.js";

interface Job {
  id: number;
  target: string;
  objective: Objective;
  dangles: 0 | 2;
  sequences: string[];
}

parentPort?.on("message", (job: Job) => {
  const model = defaultModel(job.dangles);
  const pt = parseStructure(job.target);
  const scores = job.sequences.map((s) => score(model, encodeSequence(s), pt, job.objective));
  parentPort?.postMessage({ id: job.id, scores });
});
