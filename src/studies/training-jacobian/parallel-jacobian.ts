// The dense training Jacobian computed in column chunks on the core executor
// (worker threads or in-process): columns are independent given the stored
// trajectory, so each task replays the run for its own block of tangents.
import type { Executor, Task } from "../../core/executor.js";
import type { ColumnMatrix } from "./jacobian.js";
import { propagateTangents } from "./jacobian.js";
import type { Batch, MlpShape } from "./mlp.js";
import type { Trajectory } from "./training.js";

/** What a worker needs to replay the run: plain typed arrays and numbers. */
export interface ChunkInput {
  shape: MlpShape;
  batchSize: number;
  momentum: number;
  thetas: Float64Array;
  batches: { x: Float64Array; xT: Float64Array; labels: Int32Array; count: number }[];
  batchOf: Int32Array;
  learningRates: Float64Array;
  first: number;
  count: number;
  checkpoints: number[];
}

export interface ChunkOutput {
  columns: Float64Array;
  snapshots: Float64Array[];
}

/** Task body: columns first .. first+count-1 of J and of the checkpoint Jacobians. */
export function jacobianChunk(input: ChunkInput): ChunkOutput {
  const steps = input.learningRates.length;
  const p = input.thetas.length / steps;
  const thetas = Array.from({ length: steps }, (_, t) => input.thetas.subarray(t * p, (t + 1) * p));
  const trajectory: Trajectory = {
    setup: {
      shape: input.shape,
      batchSize: input.batchSize,
      momentum: input.momentum,
      learningRate: input.learningRates[0],
      epochs: 0,
      train: { images: new Float64Array(0), labels: new Int32Array(0), count: 0, features: 0 },
    },
    batches: input.batches as Batch[],
    steps,
    learningRates: input.learningRates,
    batchOf: input.batchOf,
    thetas,
    final: new Float64Array(p),
    epochLosses: [],
  };
  const tangents = new Float64Array(input.count * p);
  for (let c = 0; c < input.count; c++) tangents[c * p + input.first + c] = 1;
  const snapshots: Float64Array[] = [];
  propagateTangents(trajectory, tangents, input.count, {
    onStep: (done) => {
      if (input.checkpoints.includes(done)) snapshots.push(Float64Array.from(tangents));
    },
  });
  return { columns: tangents, snapshots };
}

/**
 * J = d theta_T / d theta_0 (column-major) and the checkpoint Jacobians,
 * in `chunks` tasks on `executor`; `onChunk` reports columns done.
 */
export async function parallelJacobian(
  trajectory: Trajectory,
  executor: Executor,
  options: {
    chunks: number;
    checkpoints: number[];
    onChunk?: (done: number, total: number) => void;
  },
): Promise<{ jacobian: ColumnMatrix; atCheckpoints: Map<number, ColumnMatrix> }> {
  const p = trajectory.final.length;
  const steps = trajectory.steps;
  const thetas = new Float64Array(steps * p);
  trajectory.thetas.forEach((theta, t) => {
    thetas.set(theta, t * p);
  });
  const checkpoints = [...new Set(options.checkpoints)]
    .filter((s) => s > 0 && s < steps)
    .sort((a, b) => a - b);
  const chunks = Math.max(1, Math.min(options.chunks, p));
  const size = Math.ceil(p / chunks);
  const tasks: Task<ChunkInput>[] = [];
  for (let first = 0; first < p; first += size) {
    tasks.push({
      module: new URL(import.meta.url).href,
      fn: "jacobianChunk",
      input: {
        shape: trajectory.setup.shape,
        batchSize: trajectory.setup.batchSize,
        momentum: trajectory.setup.momentum,
        thetas,
        batches: trajectory.batches,
        batchOf: trajectory.batchOf,
        learningRates: trajectory.learningRates,
        first,
        count: Math.min(size, p - first),
        checkpoints,
      },
    });
  }
  const jacobian = { n: p, data: new Float64Array(p * p) };
  const atCheckpoints = new Map<number, ColumnMatrix>();
  for (const s of checkpoints) atCheckpoints.set(s, { n: p, data: new Float64Array(p * p) });
  // one task per map call keeps progress visible and memory bounded
  let done = 0;
  for (let i = 0; i < tasks.length; i += executor.parallelism) {
    const batch = tasks.slice(i, i + executor.parallelism);
    const outputs = await executor.map<ChunkInput, ChunkOutput>(batch);
    outputs.forEach((out, j) => {
      const first = batch[j].input.first;
      jacobian.data.set(out.columns, first * p);
      checkpoints.forEach((s, k) => {
        atCheckpoints.get(s)!.data.set(out.snapshots[k], first * p);
      });
      done += batch[j].input.count;
    });
    options.onChunk?.(done, p);
  }
  return { jacobian, atCheckpoints };
}
