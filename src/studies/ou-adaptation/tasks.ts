// The synthetic tasks of the OUA paper's experiments, each as an environment
// (reward and its exact gradient, step by step) and a deterministic loss of
// fixed parameters for scoring the learned mean.
import type { Rng } from "../../core/rng.js";
import type { Environment, OuaSettings } from "./oua.js";

export type TaskName = "single" | "recurrent" | "six-inputs" | "control";

export interface Task {
  name: TaskName;
  /** One line for the report. */
  description: string;
  initial: Float64Array;
  /** The teacher's or optimal parameters. */
  optimum: Float64Array;
  /** Rule settings the paper uses for this task. */
  settings: Omit<OuaSettings, "dt">;
  /** Simulated time per run. */
  horizon: number;
  environment(rng: Rng): Environment;
  /** Deterministic loss of fixed parameters (lower is better). */
  loss(theta: Float64Array): number;
}

// Mean of g(sin(0.1 t)) over one period of the input (midpoint rule, 400 nodes).
function periodAverage(g: (u: number) => number): number {
  const nodes = 400;
  let s = 0;
  for (let i = 0; i < nodes; i++) s += g(Math.sin((2 * Math.PI * (i + 0.5)) / nodes));
  return s / nodes;
}

/** y = tanh(u theta) against tanh(u theta* sign(t)), u = sin(0.1 t). */
class SingleEnvironment implements Environment {
  constructor(
    private readonly sign: (time: number) => number,
    private time = 0,
  ) {}

  private error(theta: Float64Array): { u: number; y: number; e: number } {
    const u = Math.sin(0.1 * this.time);
    const y = Math.tanh(u * theta[0]);
    return { u, y, e: y - Math.tanh(u * this.sign(this.time)) };
  }

  step(theta: Float64Array, dt: number): number {
    const { e } = this.error(theta);
    this.time += dt;
    return -e * e;
  }

  stepWithGradient(theta: Float64Array, dt: number, gradient: Float64Array): number {
    const { u, y, e } = this.error(theta);
    gradient[0] = -2 * e * (1 - y * y) * u;
    this.time += dt;
    return -e * e;
  }

  clone(): Environment {
    return new SingleEnvironment(this.sign, this.time);
  }
}

/**
 * One parameter: u = sin(0.1 t), target tanh(u theta*), theta* = 1, reward
 * -(tanh(u theta) - tanh(u theta*))^2. `flipEvery` makes theta* change sign
 * every so many time units (the meta-learning task).
 */
export function singleTask(flipEvery = 0): Task {
  const sign =
    flipEvery > 0 ? (t: number) => (Math.floor(t / flipEvery) % 2 === 0 ? 1 : -1) : () => 1;
  return {
    name: "single",
    description: "one parameter: u = sin(0.1 t), target tanh(u theta*), theta* = 1",
    initial: Float64Array.of(0),
    optimum: Float64Array.of(1),
    settings: { rho: 1, lambda: 1, eta: 1, sigma: 0.3 },
    horizon: 1000,
    environment: () => new SingleEnvironment(sign),
    loss: (theta) => periodAverage((u) => (Math.tanh(u * theta[0]) - Math.tanh(u)) ** 2),
  };
}

const SIX_TARGET = [0.3, 1.1, 0, -0.3, -1.5, -0.4];

/** Six inputs u_j = sin(0.1 j t + phi_j), y = theta . u against theta* . u. */
class SixEnvironment implements Environment {
  private readonly u = new Float64Array(6);

  constructor(
    private readonly phases: Float64Array,
    private time = 0,
  ) {}

  private error(theta: Float64Array): number {
    let e = 0;
    for (let j = 0; j < 6; j++) {
      this.u[j] = Math.sin(0.1 * (j + 1) * this.time + this.phases[j]);
      e += (theta[j] - SIX_TARGET[j]) * this.u[j];
    }
    return e;
  }

  step(theta: Float64Array, dt: number): number {
    const e = this.error(theta);
    this.time += dt;
    return -e * e;
  }

  stepWithGradient(theta: Float64Array, dt: number, gradient: Float64Array): number {
    const e = this.error(theta);
    for (let j = 0; j < 6; j++) gradient[j] = -2 * e * this.u[j];
    this.time += dt;
    return -e * e;
  }

  clone(): Environment {
    return new SixEnvironment(this.phases, this.time);
  }
}

/**
 * Six inputs with frequencies 0.1 j (j = 1..6) and seeded phases; a linear
 * read-out. Distinct frequencies make the long-run mean of (dtheta . u)^2
 * equal |theta - theta*|^2 / 2, the task's loss.
 */
export function sixInputsTask(): Task {
  return {
    name: "six-inputs",
    description:
      "six inputs u_j = sin(0.1 j t + phi_j), linear read-out, theta* = (0.3, 1.1, 0, -0.3, -1.5, -0.4)",
    initial: new Float64Array(6),
    optimum: Float64Array.from(SIX_TARGET),
    // Limitation: eta = 0.2 rather than 1; with eta >= 0.3 the rule as stated
    // diverged (NaN) on some seeds from theta = 0 here (measured, 6 seeds).
    settings: { rho: 1, lambda: 1, eta: 0.2, sigma: 0.2 },
    horizon: 2000,
    environment: (rng) =>
      new SixEnvironment(Float64Array.from({ length: 6 }, () => 2 * Math.PI * rng.uniform())),
    loss: (theta) => theta.reduce((s, v, j) => s + (v - SIX_TARGET[j]) ** 2, 0) / 2,
  };
}

const TEACHER = [0.3, 0.7, 1.0];

/**
 * A scalar leaky-tanh recurrent unit dx/dt = -x + tanh(w x + v u), output
 * y = c x, u = sin(0.1 t), learning the teacher (w, v, c) = (0.3, 0.7, 1.0).
 * The exact online gradient carries the sensitivities dx/dw and dx/dv
 * forward (real-time recurrent learning).
 */
class RecurrentEnvironment implements Environment {
  constructor(
    private time = 0,
    private x = 0,
    private teacher = 0,
    private sw = 0,
    private sv = 0,
  ) {}

  private advance(theta: Float64Array, dt: number, gradient?: Float64Array): number {
    const [w, v, c] = theta;
    const u = Math.sin(0.1 * this.time);
    const e = c * this.x - TEACHER[2] * this.teacher;
    if (gradient) {
      gradient[0] = -2 * e * c * this.sw;
      gradient[1] = -2 * e * c * this.sv;
      gradient[2] = -2 * e * this.x;
    }
    const h = Math.tanh(w * this.x + v * u);
    const slope = 1 - h * h;
    this.sw += dt * (-this.sw + slope * (this.x + w * this.sw));
    this.sv += dt * (-this.sv + slope * (u + w * this.sv));
    this.x += dt * (-this.x + h);
    this.teacher += dt * (-this.teacher + Math.tanh(TEACHER[0] * this.teacher + TEACHER[1] * u));
    this.time += dt;
    return -e * e;
  }

  step(theta: Float64Array, dt: number): number {
    return this.advance(theta, dt);
  }

  stepWithGradient(theta: Float64Array, dt: number, gradient: Float64Array): number {
    return this.advance(theta, dt, gradient);
  }

  clone(): Environment {
    return new RecurrentEnvironment(this.time, this.x, this.teacher, this.sw, this.sv);
  }
}

/** Mean squared output error of fixed parameters over t in [200, 400] from rest (dt 0.05). */
function recurrentLoss(theta: Float64Array): number {
  const env = new RecurrentEnvironment();
  const dt = 0.05;
  let s = 0;
  let count = 0;
  for (let k = 0; k < 8000; k++) {
    const r = env.step(theta, dt);
    if (k >= 4000) {
      s -= r;
      count++;
    }
  }
  return s / count;
}

export function recurrentTask(): Task {
  return {
    name: "recurrent",
    description:
      "scalar leaky-tanh recurrent unit dx/dt = -x + tanh(w x + v u), y = c x, teacher (0.3, 0.7, 1.0)",
    initial: Float64Array.of(0.1, 0.1, 0.1),
    optimum: Float64Array.from(TEACHER),
    // Limitation: the paper's eta = 50 diverged (NaN) on 3 of 4 seeds from this
    // start, because d(theta - mu) = -(lambda + eta (r - rbar))(theta - mu) dt
    // grows once eta (rbar - r) > lambda; eta = 5 converged on 6 of 6 (measured).
    settings: { rho: 1, lambda: 1, eta: 5, sigma: 0.2 },
    horizon: 2500,
    environment: () => new RecurrentEnvironment(),
    loss: recurrentLoss,
  };
}

/** Shared, lazily drawn normals: clones read the same noise at the same step. */
class NoiseStream {
  private readonly values: number[] = [];
  constructor(private readonly rng: Rng) {}
  at(k: number): number {
    while (this.values.length <= k) this.values.push(this.rng.normal());
    return this.values[k];
  }
}

/**
 * Stochastic double integrator dp = v dt, dv = a dt + s dW with the linear
 * policy a = theta . (p, v) and reward -(p^2 + v^2)/2 - a^2/2. The exact
 * gradient carries d(p, v)/d theta forward.
 */
class ControlEnvironment implements Environment {
  constructor(
    private readonly noise: NoiseStream,
    private readonly scale: number,
    private k = 0,
    private p = 1,
    private v = 0,
    private readonly sens = new Float64Array(4),
  ) {}

  private advance(theta: Float64Array, dt: number, gradient?: Float64Array): number {
    const { p, v, sens } = this;
    const a = theta[0] * p + theta[1] * v;
    const reward = -(p * p + v * v) / 2 - (a * a) / 2;
    // sens = [dp/dth0, dp/dth1, dv/dth0, dv/dth1]
    const da0 = p + theta[0] * sens[0] + theta[1] * sens[2];
    const da1 = v + theta[0] * sens[1] + theta[1] * sens[3];
    if (gradient) {
      gradient[0] = -(p * sens[0] + v * sens[2]) - a * da0;
      gradient[1] = -(p * sens[1] + v * sens[3]) - a * da1;
    }
    sens[0] += dt * sens[2];
    sens[1] += dt * sens[3];
    sens[2] += dt * da0;
    sens[3] += dt * da1;
    this.p += dt * v;
    this.v += dt * a + this.scale * Math.sqrt(dt) * this.noise.at(this.k);
    this.k++;
    return reward;
  }

  step(theta: Float64Array, dt: number): number {
    return this.advance(theta, dt);
  }

  stepWithGradient(theta: Float64Array, dt: number, gradient: Float64Array): number {
    return this.advance(theta, dt, gradient);
  }

  clone(): Environment {
    return new ControlEnvironment(
      this.noise,
      this.scale,
      this.k,
      this.p,
      this.v,
      Float64Array.from(this.sens),
    );
  }
}

/**
 * Long-run average cost of the linear policy on the double integrator, from
 * the stationary covariance (Lyapunov equation, closed form for this 2 x 2
 * system): with a = theta_0 < 0 and b = theta_1 < 0, P = diag(s^2/(2ab), -s^2/(2b)),
 * cost = (P_11 (1 + a^2) + P_22 (1 + b^2)) / 2. Unstable gains cost Infinity.
 * The optimum (LQR) is theta = (-1, -sqrt 3) with cost s^2 sqrt(3) / 2.
 */
export function controlCost(theta: Float64Array, noiseScale: number): number {
  const [a, b] = theta;
  if (!(a < 0 && b < 0)) return Number.POSITIVE_INFINITY;
  const s2 = noiseScale * noiseScale;
  const p11 = s2 / (2 * a * b);
  const p22 = -s2 / (2 * b);
  return (p11 * (1 + a * a) + p22 * (1 + b * b)) / 2;
}

export function controlTask(noiseScale = 0.05): Task {
  return {
    name: "control",
    description: `stochastic double integrator (noise ${noiseScale}), linear policy a = theta . (p, v), reward -|x|^2/2 - a^2/2`,
    initial: Float64Array.of(-0.3, -0.3),
    optimum: Float64Array.of(-1, -Math.sqrt(3)),
    settings: { rho: 2, lambda: 1, eta: 50, sigma: 0.02 },
    horizon: 1000,
    environment: (rng) => new ControlEnvironment(new NoiseStream(rng), noiseScale),
    loss: (theta) => controlCost(theta, noiseScale),
  };
}

export const TASKS: Record<TaskName, () => Task> = {
  single: () => singleTask(),
  recurrent: recurrentTask,
  "six-inputs": sixInputsTask,
  control: () => controlTask(),
};
