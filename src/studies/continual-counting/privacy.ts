// Privacy calibration for Gaussian factorisation mechanisms. Adding
// N(0, (sigma * Delta)^2) noise to a query of L2 sensitivity Delta is rho-zCDP
// with rho = 1 / (2 sigma^2) (Bun & Steinke 2016). rho-zCDP gives (epsilon, delta)-DP
// with epsilon = min over a > 1 of a rho + log(1 - 1/a) - (log delta + log a) / (a - 1)
// (Canonne, Kamath & Steinke 2020, Proposition 12 / Corollary 13, applied to the
// Renyi divergences a rho); the simpler rho + 2 sqrt(rho log(1/delta)) is reported beside it.
import { UsageError } from "../../core/errors.js";

/** zCDP of the Gaussian mechanism with noise multiplier sigma. */
export function rhoOfNoiseMultiplier(sigma: number): number {
  return 1 / (2 * sigma * sigma);
}

/** Noise multiplier that gives rho-zCDP. */
export function noiseMultiplierOfRho(rho: number): number {
  if (!(rho > 0 && Number.isFinite(rho)))
    throw new UsageError(`rho must be a positive number, got ${rho}`);
  return 1 / Math.sqrt(2 * rho);
}

function checkDelta(delta: number): void {
  if (!(delta > 0 && delta < 1)) throw new UsageError(`delta must be in (0, 1), got ${delta}`);
}

/** epsilon at a given Renyi order a > 1 (CKS'20 Prop. 12 with epsilon_a = a rho). */
function epsilonAtOrder(rho: number, delta: number, a: number): number {
  return a * rho + Math.log1p(-1 / a) - (Math.log(delta) + Math.log(a)) / (a - 1);
}

/** The (epsilon, delta)-DP that rho-zCDP implies, by CKS'20 (minimised over the order). */
export function epsilonOfRho(rho: number, delta: number): number {
  checkDelta(delta);
  if (!(rho > 0)) throw new UsageError(`rho must be positive, got ${rho}`);
  // Golden-section search over u = log(a - 1); the objective is unimodal in u.
  let lo = -12;
  let hi = 20;
  const f = (u: number) => epsilonAtOrder(rho, delta, 1 + Math.exp(u));
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - g * (hi - lo);
  let x2 = lo + g * (hi - lo);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let i = 0; i < 200; i++) {
    if (f1 < f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = f(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = f(x2);
    }
  }
  return Math.max(0, Math.min(f1, f2));
}

/** The classical conversion epsilon = rho + 2 sqrt(rho log(1/delta)) (Bun & Steinke 2016). */
export function epsilonOfRhoSimple(rho: number, delta: number): number {
  checkDelta(delta);
  return rho + 2 * Math.sqrt(rho * Math.log(1 / delta));
}

/** The largest rho whose CKS'20 conversion gives at most epsilon at this delta. */
export function rhoOfEpsilon(epsilon: number, delta: number): number {
  checkDelta(delta);
  if (!(epsilon > 0 && Number.isFinite(epsilon))) {
    throw new UsageError(`epsilon must be a positive number, got ${epsilon}`);
  }
  let lo = 0;
  let hi = epsilon;
  // epsilonOfRho(rho) >= rho, so rho <= epsilon; bisect in log space for precision.
  for (let i = 0; i < 200; i++) {
    const mid = lo === 0 ? hi / 2 : Math.sqrt(lo * hi);
    if (epsilonOfRho(mid, delta) <= epsilon) lo = mid;
    else hi = mid;
    if (hi - lo <= 1e-14 * hi) break;
  }
  return lo;
}

/** A privacy target and what it means for the noise. */
export interface Calibration {
  rho: number;
  noiseMultiplier: number;
  epsilon?: number;
  delta?: number;
  /** The simple conversion's epsilon at the same rho and delta, for comparison. */
  epsilonSimple?: number;
  /** How the numbers were obtained, for printing. */
  conversion: string;
}

/** Noise multiplier from either a zCDP rho or an (epsilon, delta) target. */
export function calibrate(target: { rho?: number; epsilon?: number; delta?: number }): Calibration {
  if (target.rho !== undefined) {
    if (target.epsilon !== undefined)
      throw new UsageError("give either rho or epsilon/delta, not both");
    const rho = target.rho;
    const sigma = noiseMultiplierOfRho(rho);
    const out: Calibration = {
      rho,
      noiseMultiplier: sigma,
      conversion: `rho=${fmt(rho)} zCDP -> noise multiplier sigma = 1/sqrt(2 rho) = ${fmt(sigma)}`,
    };
    if (target.delta !== undefined) {
      out.delta = target.delta;
      out.epsilon = epsilonOfRho(rho, target.delta);
      out.epsilonSimple = epsilonOfRhoSimple(rho, target.delta);
      out.conversion += `; (epsilon, delta) = (${fmt(out.epsilon)}, ${target.delta}) by CKS'20 (simple bound: ${fmt(out.epsilonSimple)})`;
    }
    return out;
  }
  if (target.epsilon === undefined || target.delta === undefined) {
    throw new UsageError("a privacy target needs rho, or both epsilon and delta");
  }
  const rho = rhoOfEpsilon(target.epsilon, target.delta);
  const sigma = noiseMultiplierOfRho(rho);
  return {
    rho,
    noiseMultiplier: sigma,
    epsilon: target.epsilon,
    delta: target.delta,
    epsilonSimple: epsilonOfRhoSimple(rho, target.delta),
    conversion: `(epsilon, delta) = (${target.epsilon}, ${target.delta}) -> rho = ${fmt(rho)} zCDP (largest rho whose CKS'20 conversion is within epsilon) -> noise multiplier sigma = 1/sqrt(2 rho) = ${fmt(sigma)}`,
  };
}

/**
 * zCDP of independent discrete Gaussians N_Z(0, sigma^2) added to an
 * integer-valued query whose values move by an integer vector of L2 norm at most
 * `l2`: for integer shifts mu the Renyi divergence of order a is exactly
 * a mu^2 / (2 sigma^2) (Canonne, Kamath & Steinke 2020, Proposition 5), and Renyi
 * divergences add over independent coordinates, so rho = l2^2 / (2 sigma^2),
 * the same as for continuous noise.
 */
export function discreteGaussianRho(sigma2: number, l2: number): number {
  return (l2 * l2) / (2 * sigma2);
}

function fmt(x: number): string {
  return Number(x.toPrecision(6)).toString();
}
