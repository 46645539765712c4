// The server side of Local-GD and of our modified Local-GD: send the global
// model to every client, collect their local models through the executor,
// and average them (uniformly or weighted by data size).
import type { Executor, Task } from "../../core/executor.js";
import type {
  ClientData,
  LinearLoss,
  LocalGdInput,
  ProximalInput,
  ProximalOutput,
} from "./clients.js";

const CLIENTS = new URL("./clients.ts", import.meta.url).href;

export type Weighting = "uniform" | "data-size";

/** Aggregation weights: 1/M each, or n_i / sum n. */
export function clientWeights(sizes: number[], weighting: Weighting): number[] {
  const total = sizes.reduce((s, n) => s + n, 0);
  return sizes.map((n) => (weighting === "uniform" ? 1 / sizes.length : n / total));
}

/** sum_i weight_i * models_i. */
export function average(models: Float64Array[], weights: number[]): Float64Array {
  const out = new Float64Array(models[0].length);
  models.forEach((m, i) => {
    for (let j = 0; j < out.length; j++) out[j] += weights[i] * m[j];
  });
  return out;
}

export interface RoundOptions {
  clients: ClientData[];
  weighting: Weighting;
  executor: Executor;
}

/** One round of Local-GD: each client runs `localSteps` GD steps from w; the server averages. */
export async function localGdRound(
  w: Float64Array,
  options: RoundOptions & { localSteps: number; learningRate: number; loss: LinearLoss },
): Promise<Float64Array> {
  const tasks: Task<LocalGdInput>[] = options.clients.map((client) => ({
    module: CLIENTS,
    fn: "localGd",
    input: {
      ...client,
      w,
      localSteps: options.localSteps,
      learningRate: options.learningRate,
      loss: options.loss,
    },
  }));
  const models = await options.executor.map<LocalGdInput, Float64Array>(tasks);
  const sizes = options.clients.map((c) => c.x.rows);
  return average(models, clientWeights(sizes, options.weighting));
}

/** One round of our modified Local-GD: each client returns its regularised local minimiser; the server averages. */
export async function modifiedRound(
  w: Float64Array,
  options: RoundOptions & { lambda: number; tolerance: number },
): Promise<{ w: Float64Array; newtonIterations: number; worstGradientNorm: number }> {
  const tasks: Task<ProximalInput>[] = options.clients.map((client) => ({
    module: CLIENTS,
    fn: "proximalLogistic",
    input: {
      ...client,
      w,
      lambda: options.lambda,
      tolerance: options.tolerance,
      maxIterations: 500,
    },
  }));
  const outputs = await options.executor.map<ProximalInput, ProximalOutput>(tasks);
  const sizes = options.clients.map((c) => c.x.rows);
  return {
    w: average(
      outputs.map((o) => o.w),
      clientWeights(sizes, options.weighting),
    ),
    newtonIterations: Math.max(...outputs.map((o) => o.iterations)),
    worstGradientNorm: Math.max(...outputs.map((o) => o.gradientNorm)),
  };
}
