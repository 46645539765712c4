// Ornstein-Uhlenbeck adaptation (OUA) and its two baselines, simulated by
// Euler-Maruyama with step dt. Garcia Fernandez, Ahmad, van Gerven,
// "Ornstein-Uhlenbeck Adaptation as a Mechanism for Learning in Brains and
// Machines" (Entropy 26(12):1125, 2024), section 2 (the OUA equations):
//   d rbar  = rho (r - rbar) dt                    (reward average)
//   d theta = lambda (mu - theta) dt + sigma dW    (parameters, OU around mu)
//   d mu    = eta (r - rbar) (theta - mu) dt       (mean: reward-prediction error x noise)
//   dG      = r dt                                 (cumulative reward)
// The trained model is mu. Averaging gives E[d mu] ~ eta sigma^2 / (2 lambda)
// grad r dt when rbar is slow (rho << lambda), the learning rate at which GD
// is compared; with rho comparable to lambda, rbar also averages the same
// parameter noise and the drift shrinks by lambda / (lambda + rho) (oua.test.ts).
import type { Rng } from "../../core/rng.js";

/** A task's environment as the learner sees it, advanced dt at a time. */
export interface Environment {
  /** The reward at the current time for parameters theta; then advances by dt. */
  step(theta: Float64Array, dt: number): number;
  /** As step, and writes the exact gradient of the reward in theta into `gradient`. */
  stepWithGradient(theta: Float64Array, dt: number, gradient: Float64Array): number;
  /** An independent copy (state and noise stream). */
  clone(): Environment;
}

export interface OuaSettings {
  rho: number;
  lambda: number;
  eta: number;
  sigma: number;
  dt: number;
}

/** One point of a learning curve. */
export interface CurvePoint {
  time: number;
  evaluations: number;
  params: Float64Array;
}

export interface LearnResult {
  params: Float64Array;
  evaluations: number;
  /** Cumulative reward G (OUA) or the reward summed times dt (baselines). */
  cumulativeReward: number;
  curve: CurvePoint[];
}

/** Options shared by the learners: how long, and how often to record. */
export interface LearnOptions {
  /** Forward evaluations allowed (one per Euler step for OUA and GD). */
  evaluations: number;
  /** Record the mean parameters every this many evaluations (0: never). */
  recordEvery?: number;
  /** Stop early once this many milliseconds have passed (equal-wall-time runs). */
  wallMs?: number;
}

function record(
  curve: CurvePoint[],
  every: number | undefined,
  k: number,
  dt: number,
  params: Float64Array,
) {
  if (every && k % every === 0)
    curve.push({ time: k * dt, evaluations: k, params: Float64Array.from(params) });
}

/**
 * Simulates OUA from theta = mu = `initial`, with rbar started at the first
 * reward. `sigmaOf` lets meta-learning supply a time-varying noise amplitude.
 */
export function runOua(
  env: Environment,
  initial: Float64Array,
  settings: OuaSettings,
  rng: Rng,
  options: LearnOptions,
): LearnResult {
  const { rho, lambda, eta, sigma, dt } = settings;
  const p = initial.length;
  const theta = Float64Array.from(initial);
  const mu = Float64Array.from(initial);
  const sqrtDt = Math.sqrt(dt);
  const curve: CurvePoint[] = [];
  const start = performance.now();
  let rbar = Number.NaN;
  let total = 0;
  let k = 0;
  for (; k < options.evaluations; k++) {
    record(curve, options.recordEvery, k, dt, mu);
    if (options.wallMs !== undefined && k % 64 === 0 && performance.now() - start > options.wallMs)
      break;
    const r = env.step(theta, dt);
    if (Number.isNaN(rbar)) rbar = r;
    total += r * dt;
    const surprise = r - rbar;
    for (let j = 0; j < p; j++) {
      const deviation = theta[j] - mu[j];
      theta[j] += -lambda * deviation * dt + sigma * sqrtDt * rng.normal();
      mu[j] += eta * surprise * deviation * dt;
    }
    rbar += rho * surprise * dt;
  }
  record(curve, options.recordEvery, k, dt, mu);
  return { params: mu, evaluations: k, cumulativeReward: total, curve };
}

/** The GD learning rate that matches OUA's averaged drift: eta sigma^2 / (2 lambda). */
export function matchedLearningRate(settings: OuaSettings): number {
  return (settings.eta * settings.sigma ** 2) / (2 * settings.lambda);
}

/** Online gradient ascent on the reward with exact gradients: theta += lr grad r dt. */
export function runGradient(
  env: Environment,
  initial: Float64Array,
  learningRate: number,
  dt: number,
  options: LearnOptions,
): LearnResult {
  const theta = Float64Array.from(initial);
  const gradient = new Float64Array(theta.length);
  const curve: CurvePoint[] = [];
  const start = performance.now();
  let total = 0;
  let k = 0;
  for (; k < options.evaluations; k++) {
    record(curve, options.recordEvery, k, dt, theta);
    if (options.wallMs !== undefined && k % 64 === 0 && performance.now() - start > options.wallMs)
      break;
    total += env.stepWithGradient(theta, dt, gradient) * dt;
    for (let j = 0; j < theta.length; j++) theta[j] += learningRate * gradient[j] * dt;
  }
  record(curve, options.recordEvery, k, dt, theta);
  return { params: theta, evaluations: k, cumulativeReward: total, curve };
}

/**
 * Weight perturbation with discrete (Rademacher) noise: from the same state,
 * a copy of the environment runs `window` steps at theta + eps xi and the
 * environment itself `window` steps at theta - eps xi; then
 * theta += lr (2 window dt) (R+ - R-) / (2 eps) xi, whose mean is lr grad R per
 * unit of simulated evaluation time, as for GD. Two evaluations per step of time.
 */
export function runPerturbation(
  env: Environment,
  initial: Float64Array,
  learningRate: number,
  amplitude: number,
  dt: number,
  window: number,
  rng: Rng,
  options: LearnOptions,
): LearnResult {
  const p = initial.length;
  const theta = Float64Array.from(initial);
  const plus = new Float64Array(p);
  const minus = new Float64Array(p);
  const xi = new Float64Array(p);
  const curve: CurvePoint[] = [];
  const start = performance.now();
  let total = 0;
  let k = 0;
  while (k + 2 * window <= options.evaluations) {
    record(curve, options.recordEvery, k, dt, theta);
    if (options.wallMs !== undefined && performance.now() - start > options.wallMs) break;
    for (let j = 0; j < p; j++) {
      xi[j] = rng.uniform() < 0.5 ? -1 : 1;
      plus[j] = theta[j] + amplitude * xi[j];
      minus[j] = theta[j] - amplitude * xi[j];
    }
    const copy = env.clone();
    let up = 0;
    let down = 0;
    for (let s = 0; s < window; s++) up += copy.step(plus, dt);
    for (let s = 0; s < window; s++) down += env.step(minus, dt);
    total += (down + up) * dt;
    k += 2 * window;
    const scale = (learningRate * 2 * window * dt * (up - down)) / window / (2 * amplitude);
    for (let j = 0; j < p; j++) theta[j] += scale * xi[j];
  }
  record(curve, options.recordEvery, k, dt, theta);
  return { params: theta, evaluations: k, cumulativeReward: total, curve };
}

/**
 * OUA with the noise amplitude meta-learned by its own OU process:
 * d s = lambda_s (m_s - s) dt + sigma_s dW, d m_s = eta_s (r - rbar)(s - m_s) dt,
 * and the parameters' noise amplitude is |s|. Returns the mean parameters and
 * the trace of m_s.
 */
export function runMetaSigma(
  env: Environment,
  initial: Float64Array,
  settings: OuaSettings,
  meta: { lambda: number; eta: number; sigma: number },
  rng: Rng,
  options: LearnOptions,
): LearnResult & { sigmaTrace: { time: number; sigma: number }[] } {
  const { rho, lambda, eta, dt } = settings;
  const p = initial.length;
  const theta = Float64Array.from(initial);
  const mu = Float64Array.from(initial);
  let s = settings.sigma;
  let sMean = settings.sigma;
  const sqrtDt = Math.sqrt(dt);
  const curve: CurvePoint[] = [];
  const sigmaTrace: { time: number; sigma: number }[] = [];
  let rbar = Number.NaN;
  let total = 0;
  let k = 0;
  for (; k < options.evaluations; k++) {
    if (options.recordEvery && k % options.recordEvery === 0)
      sigmaTrace.push({ time: k * dt, sigma: Math.abs(sMean) });
    record(curve, options.recordEvery, k, dt, mu);
    const r = env.step(theta, dt);
    if (Number.isNaN(rbar)) rbar = r;
    total += r * dt;
    const surprise = r - rbar;
    const amplitude = Math.abs(s);
    for (let j = 0; j < p; j++) {
      const deviation = theta[j] - mu[j];
      theta[j] += -lambda * deviation * dt + amplitude * sqrtDt * rng.normal();
      mu[j] += eta * surprise * deviation * dt;
    }
    const sDeviation = s - sMean;
    s += -meta.lambda * sDeviation * dt + meta.sigma * sqrtDt * rng.normal();
    sMean += meta.eta * surprise * sDeviation * dt;
    rbar += rho * surprise * dt;
  }
  record(curve, options.recordEvery, k, dt, mu);
  return { params: mu, evaluations: k, cumulativeReward: total, curve, sigmaTrace };
}
