// Noise for private counters: Gaussian samples from a cryptographically secure
// generator (Web Crypto getRandomValues feeding the Box-Muller transform), and
// exact discrete Gaussian samples for integer streams by the rejection sampler
// of Canonne, Kamath & Steinke, "The Discrete Gaussian for Differential
// Privacy" (NeurIPS 2020), Algorithms 1-3, in exact rational (BigInt) arithmetic.
import { webcrypto } from "node:crypto";
import type { Rng } from "../../core/rng.js";

/** Uniform 32-bit words: the one thing every sampler here draws on. */
export interface RandomSource {
  /** "crypto" for the secure generator; "seeded" for reproducible tests. */
  readonly kind: "crypto" | "seeded";
  nextU32(): number;
}

/** Words from the operating system's CSPRNG, fetched 4096 at a time. */
export class CryptoSource implements RandomSource {
  readonly kind = "crypto";
  private buffer = new Uint32Array(4096);
  private index = this.buffer.length;

  nextU32(): number {
    if (this.index === this.buffer.length) {
      webcrypto.getRandomValues(this.buffer);
      this.index = 0;
    }
    return this.buffer[this.index++];
  }
}

/**
 * Words from a seeded (not secure) generator. For tests and reproducible
 * studies only: noise from it gives no privacy against someone who knows the seed.
 */
export class SeededSource implements RandomSource {
  readonly kind = "seeded";
  constructor(private readonly rng: Rng) {}
  nextU32(): number {
    return this.rng.nextU32();
  }
}

/** Uniform in (0, 1] with 53 random bits. */
export function uniformOpen(source: RandomSource): number {
  const hi = source.nextU32() >>> 5;
  const lo = source.nextU32() >>> 6;
  return (hi * 67108864 + lo + 1) / 9007199254740992;
}

/** Fills `out` with independent N(0, std^2) samples (Box-Muller, both outputs used). */
export function fillGaussian(source: RandomSource, out: Float64Array, std: number): Float64Array {
  for (let i = 0; i < out.length; i += 2) {
    const radius = std * Math.sqrt(-2 * Math.log(uniformOpen(source)));
    const angle = 2 * Math.PI * uniformOpen(source);
    out[i] = radius * Math.cos(angle);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}

/** One N(0, std^2) sample. */
export function gaussian(source: RandomSource, std: number): number {
  return fillGaussian(source, new Float64Array(1), std)[0];
}

/** A non-negative rational p / q (q > 0). */
export interface Rational {
  p: bigint;
  q: bigint;
}

/** The exact value of a finite non-negative double as a rational. */
export function rationalOf(x: number): Rational {
  if (!(Number.isFinite(x) && x >= 0))
    throw new Error(`rationalOf needs a finite x >= 0, got ${x}`);
  let q = 1n;
  let scaled = x;
  while (!Number.isInteger(scaled)) {
    scaled *= 2;
    q *= 2n;
  }
  return { p: BigInt(scaled), q };
}

/** Uniform integer in [0, bound) by rejection on the bound's bit length. */
export function uniformBigInt(source: RandomSource, bound: bigint): bigint {
  if (bound <= 0n) throw new Error("uniformBigInt needs a positive bound");
  const bits = bound.toString(2).length;
  const words = Math.ceil(bits / 32);
  const mask = (1n << BigInt(bits)) - 1n;
  for (;;) {
    let value = 0n;
    for (let w = 0; w < words; w++) value = (value << 32n) | BigInt(source.nextU32());
    value &= mask;
    if (value < bound) return value;
  }
}

/** Bernoulli(p / q). */
function bernoulli(source: RandomSource, p: bigint, q: bigint): boolean {
  return uniformBigInt(source, q) < p;
}

/** Bernoulli(exp(-p/q)) for p/q >= 0 (CKS Algorithm 1), exact. */
export function bernoulliExpNeg(source: RandomSource, p: bigint, q: bigint): boolean {
  if (p <= q) {
    // exp(-g) for g in [0, 1]: count k while Bernoulli(g / k) succeeds; accept if k is odd.
    let k = 1n;
    while (bernoulli(source, p, q * k)) k++;
    return k % 2n === 1n;
  }
  for (let i = 0n; i < p / q; i++) if (!bernoulliExpNeg(source, 1n, 1n)) return false;
  return bernoulliExpNeg(source, p % q, q);
}

/** Discrete Laplace with scale t (integer t >= 1): P(x) proportional to exp(-|x|/t) (CKS Algorithm 2). */
export function discreteLaplace(source: RandomSource, t: bigint): bigint {
  for (;;) {
    const u = uniformBigInt(source, t);
    if (!bernoulliExpNeg(source, u, t)) continue;
    let v = 0n;
    while (bernoulliExpNeg(source, 1n, 1n)) v++;
    const x = u + t * v;
    const negative = bernoulli(source, 1n, 2n);
    if (negative && x === 0n) continue;
    return negative ? -x : x;
  }
}

/**
 * Discrete Gaussian N_Z(0, sigma^2) with sigma^2 = p/q exactly: P(x) proportional
 * to exp(-x^2 / (2 sigma^2)) on the integers (CKS Algorithm 3).
 */
export function discreteGaussian(source: RandomSource, sigma2: Rational): bigint {
  const { p, q } = sigma2;
  if (p <= 0n) return 0n;
  // t = floor(sigma) + 1, found exactly: the least t with t^2 q > p.
  let t = BigInt(Math.floor(Math.sqrt(Number(p) / Number(q))));
  while (t * t * q > p) t--;
  while (t * t * q <= p) t++;
  for (;;) {
    const y = discreteLaplace(source, t);
    const ay = y < 0n ? -y : y;
    // Accept with probability exp(-(|y| - sigma^2/t)^2 / (2 sigma^2))
    // = exp(-(|y| q t - p)^2 / (2 p q t^2)).
    const diff = ay * q * t - p;
    if (bernoulliExpNeg(source, diff * diff, 2n * p * q * t * t)) return y;
  }
}

/** Variance of N_Z(0, sigma^2), summed over the support (it is slightly below sigma^2). */
export function discreteGaussianVariance(sigma2: number): number {
  let mass = 1;
  let second = 0;
  for (let k = 1; k < 10 * Math.sqrt(sigma2) + 20; k++) {
    const w = Math.exp((-k * k) / (2 * sigma2));
    mass += 2 * w;
    second += 2 * k * k * w;
  }
  return second / mass;
}
