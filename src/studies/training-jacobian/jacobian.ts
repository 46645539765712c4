// The training Jacobian J = d theta_T / d theta_0, exactly (to float64
// rounding), by propagating tangents through the linearised momentum recursion
//   dm_{t+1} = mu dm_t + H_t dtheta_t,   dtheta_{t+1} = dtheta_t - lr_t dm_{t+1}
// (H_t: Hessian of step t's batch loss at theta_t), and transposed products
// J^T u by the adjoint recursion run backwards in time.
import { UsageError } from "../../core/errors.js";
import { BatchLoss } from "./batch-loss.js";
import type { Trajectory } from "./training.js";

function requireTrajectory(trajectory: Trajectory): void {
  if (trajectory.thetas.length !== trajectory.steps) {
    throw new UsageError("the Jacobian needs a trajectory trained with keepTrajectory: true");
  }
}

/**
 * Pushes `count` tangents (row-major `count x P` in `tangents`, updated in
 * place) through the first `steps` training steps. `onStep(t)` runs after step t.
 */
export function propagateTangents(
  trajectory: Trajectory,
  tangents: Float64Array,
  count: number,
  options: { steps?: number; onStep?: (stepsDone: number) => void } = {},
): void {
  requireTrajectory(trajectory);
  const { shape, momentum, batchSize } = trajectory.setup;
  const loss = new BatchLoss(shape, batchSize);
  const p = loss.size;
  const velocity = new Float64Array(count * p);
  const hv = new Float64Array(p);
  const steps = options.steps ?? trajectory.steps;
  for (let t = 0; t < steps; t++) {
    loss.setParams(trajectory.thetas[t], trajectory.batches[trajectory.batchOf[t]]);
    const lr = trajectory.learningRates[t];
    for (let c = 0; c < count; c++) {
      const off = c * p;
      loss.hvp(tangents, off, hv, 0);
      for (let i = 0; i < p; i++) {
        const m = hv[i] + momentum * velocity[off + i];
        velocity[off + i] = m;
        tangents[off + i] -= lr * m;
      }
    }
    options.onStep?.(t + 1);
  }
}

/** J v for one vector (a Jacobian-vector product through the whole run). */
export function jvpThroughTraining(trajectory: Trajectory, v: Float64Array): Float64Array {
  const out = Float64Array.from(v);
  propagateTangents(trajectory, out, 1);
  return out;
}

/** J^T u for one vector, by the adjoint of the momentum recursion. */
export function vjpThroughTraining(trajectory: Trajectory, u: Float64Array): Float64Array {
  requireTrajectory(trajectory);
  const { shape, momentum, batchSize } = trajectory.setup;
  const loss = new BatchLoss(shape, batchSize);
  const p = loss.size;
  const adjTheta = Float64Array.from(u);
  const adjVelocity = new Float64Array(p);
  const total = new Float64Array(p);
  const hv = new Float64Array(p);
  for (let t = trajectory.steps - 1; t >= 0; t--) {
    const lr = trajectory.learningRates[t];
    // adjoint of m_{t+1}, including its path through theta_{t+1}
    for (let i = 0; i < p; i++) total[i] = adjVelocity[i] - lr * adjTheta[i];
    loss.setParams(trajectory.thetas[t], trajectory.batches[trajectory.batchOf[t]]);
    loss.hvp(total, 0, hv, 0);
    for (let i = 0; i < p; i++) {
      adjTheta[i] += hv[i];
      adjVelocity[i] = momentum * total[i];
    }
  }
  return adjTheta;
}

/** A square matrix stored column by column: entry (row r, column c) at c * n + r. */
export interface ColumnMatrix {
  n: number;
  data: Float64Array;
}

/**
 * The dense Jacobian (column-major), built `chunk` columns at a time; also
 * the Jacobians of the first `checkpoints[i]` steps (training-length study).
 */
export function trainingJacobian(
  trajectory: Trajectory,
  options: {
    chunk?: number;
    checkpoints?: number[];
    onProgress?: (columnsDone: number, total: number) => void;
  } = {},
): { jacobian: ColumnMatrix; atCheckpoints: Map<number, ColumnMatrix> } {
  requireTrajectory(trajectory);
  const p = trajectory.final.length;
  const chunk = Math.max(1, Math.min(options.chunk ?? 128, p));
  const checkpoints = (options.checkpoints ?? []).filter((s) => s > 0 && s < trajectory.steps);
  const jacobian = { n: p, data: new Float64Array(p * p) };
  const atCheckpoints = new Map<number, ColumnMatrix>();
  for (const s of checkpoints) atCheckpoints.set(s, { n: p, data: new Float64Array(p * p) });

  for (let c0 = 0; c0 < p; c0 += chunk) {
    const count = Math.min(chunk, p - c0);
    const tangents = new Float64Array(count * p);
    for (let c = 0; c < count; c++) tangents[c * p + c0 + c] = 1;
    propagateTangents(trajectory, tangents, count, {
      onStep: (done) => {
        const snapshot = atCheckpoints.get(done);
        if (snapshot) snapshot.data.set(tangents, c0 * p);
      },
    });
    jacobian.data.set(tangents, c0 * p);
    options.onProgress?.(c0 + count, p);
  }
  return { jacobian, atCheckpoints };
}
