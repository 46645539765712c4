// Study: Ornstein-Uhlenbeck adaptation, a gradient-free learning rule driven
// by parameter noise and a global reward-prediction error, against exact GD
// and weight perturbation on the paper's synthetic tasks.
import { z } from "zod";
import type { Study, StudyContext } from "../../core/study.js";
import {
  compareOnTask,
  type MetaResult,
  metaLearning,
  type RunRow,
  type SweepPoint,
  sensitivity,
} from "./experiments.js";
import { buildReport } from "./report.js";
import { TASKS, type TaskName } from "./tasks.js";

export * from "./oua.js";
export * from "./tasks.js";

const configSchema = z.object({
  /** Euler-Maruyama time step. */
  dt: z.number().gt(0).max(0.5).default(0.05),
  /** Seeds per task and per sweep point (the paper uses 15). */
  seeds: z.number().int().min(1).default(15),
  tasks: z
    .array(z.enum(["single", "recurrent", "six-inputs", "control"]))
    .min(1)
    .default(["single", "recurrent", "six-inputs", "control"]),
  /** Multiplies every task's horizon (1 = the paper's times). */
  horizonScale: z.number().gt(0).max(10).default(1),
  /** Steps of time per weight-perturbation trial (two trials per update). */
  perturbationWindow: z.number().int().min(1).default(1),
  /** Also compare at equal wall time (timings depend on the machine). */
  wallTime: z.boolean().default(true),
  curvePoints: z.number().int().min(2).max(2000).default(100),
  sweepPoints: z.number().int().min(2).default(21),
  sweepHorizon: z.number().gt(0).default(300),
  metaHorizon: z.number().gt(0).default(2000),
  flipEvery: z.number().gt(0).default(500),
});

export type Config = z.infer<typeof configSchema>;

export interface Summary {
  runs: RunRow[];
  sensitivity: SweepPoint[];
  /** The value of each hyperparameter with the highest mean G in the sweep. */
  bestHyperparameters: Record<string, number>;
  meta: MetaResult;
  taskSettings: Record<
    string,
    { rho: number; lambda: number; eta: number; sigma: number; horizon: number }
  >;
}

async function run(config: Config, ctx: StudyContext): Promise<Summary> {
  const runs: RunRow[] = [];
  const taskSettings: Summary["taskSettings"] = {};
  for (const [i, name] of config.tasks.entries()) {
    ctx.progress({ stage: "tasks", done: i, total: config.tasks.length, message: name });
    const task = TASKS[name as TaskName]();
    task.horizon *= config.horizonScale;
    taskSettings[name] = { ...task.settings, horizon: task.horizon };
    const rows = compareOnTask(
      task,
      ctx.rng.fork(`task-${name}`),
      {
        dt: config.dt,
        seeds: config.seeds,
        window: config.perturbationWindow,
        curvePoints: config.curvePoints,
        wallTime: config.wallTime,
      },
      ctx.metric,
    );
    for (const row of rows) ctx.metric({ kind: "run", ...row });
    runs.push(...rows);
  }
  ctx.progress({ stage: "tasks", done: config.tasks.length, total: config.tasks.length });

  ctx.progress({ stage: "sensitivity", done: 0, total: 1 });
  const sweep = sensitivity(ctx.rng.fork("sensitivity"), {
    dt: config.dt,
    seeds: config.seeds,
    points: config.sweepPoints,
    horizon: config.sweepHorizon,
  });
  for (const point of sweep) ctx.metric({ kind: "sweep", ...point });
  const bestHyperparameters: Record<string, number> = {};
  for (const parameter of ["lambda", "sigma", "rho", "eta"]) {
    const points = sweep.filter((p) => p.parameter === parameter);
    bestHyperparameters[parameter] = points.reduce((a, b) => (b.reward > a.reward ? b : a)).value;
  }

  ctx.progress({ stage: "meta-learning", done: 0, total: 1 });
  const meta = metaLearning(ctx.rng.fork("meta"), {
    dt: config.dt,
    seeds: config.seeds,
    horizon: config.metaHorizon,
    flipEvery: config.flipEvery,
  });
  for (const point of meta.sigmaTrace) ctx.metric({ kind: "sigma", ...point });
  ctx.progress({ stage: "meta-learning", done: 1, total: 1 });
  return { runs, sensitivity: sweep, bestHyperparameters, meta, taskSettings };
}

export const study: Study<Config, Summary> = {
  name: "ou-adaptation",
  summary:
    "Ornstein-Uhlenbeck adaptation learns from parameter noise and a reward-prediction error, against GD and weight perturbation",
  paper:
    "Jesus Garcia Fernandez, Nasir Ahmad, Marcel van Gerven: Ornstein-Uhlenbeck Adaptation as a Mechanism " +
    "for Learning in Brains and Machines (Entropy 26(12):1125, 2024)",
  config: configSchema,
  presets: {
    quick: { seeds: 3, sweepPoints: 9, horizonScale: 0.5, metaHorizon: 2000, curvePoints: 50 },
    full: {},
  },
  run,
  report: buildReport,
};
