// Parallel exact scoring of sampled sequences over node:worker_threads. Workers load the
// TypeScript sources through tsx (score-worker-entry.mjs registers it); with one worker (or none) scoring runs in this thread.
import { Worker } from "node:worker_threads";
import type { Dangles } from "./energy.js";
import { defaultModel } from "./fold.js";
import { type Objective, score } from "./objective.js";
import { encodeSequence, parseStructure } from "./sequence.js";

interface Pending {
  resolve: (scores: number[]) => void;
  reject: (error: Error) => void;
}

/** A fixed set of worker threads that score sequences; close() when done. */
export class ScorePool {
  private workers: Worker[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(readonly size: number) {
    for (let k = 0; k < size; k++) {
      const worker = new Worker(new URL("./score-worker-entry.mjs", import.meta.url));
      worker.on("message", (msg: { id: number; scores: number[] }) => {
        const job = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        job?.resolve(msg.scores);
      });
      worker.on("error", (error: Error) => {
        for (const job of this.pending.values()) job.reject(error);
        this.pending.clear();
      });
      this.workers.push(worker);
    }
  }

  /** Scores the sequences, split evenly across the workers, in input order. */
  async score(
    sequences: string[],
    target: string,
    objective: Objective,
    dangles: Dangles = 2,
  ): Promise<number[]> {
    if (this.workers.length === 0) return scoreHere(sequences, target, objective, dangles);
    const chunk = Math.ceil(sequences.length / this.workers.length);
    const parts = this.workers.map((worker, k) => {
      const slice = sequences.slice(k * chunk, (k + 1) * chunk);
      if (slice.length === 0) return Promise.resolve([] as number[]);
      const id = this.nextId++;
      return new Promise<number[]>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        worker.postMessage({ id, target, objective, dangles, sequences: slice });
      });
    });
    return (await Promise.all(parts)).flat();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}

/** The same scoring in the calling thread. */
export function scoreHere(
  sequences: string[],
  target: string,
  objective: Objective,
  dangles: Dangles = 2,
): number[] {
  const model = defaultModel(dangles);
  const pt = parseStructure(target);
  return sequences.map((s) => score(model, encodeSequence(s), pt, objective));
}
