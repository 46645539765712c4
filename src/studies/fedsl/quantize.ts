// Unbiased stochastic b-bit quantisation of a vector, QSGD-style (Alistarh et
// al. 2017): with s = 2^(b-1) - 1 levels and n = ||v||_2, each entry becomes
// n * sign(v_i) * xi_i / s, where xi_i is |v_i| s / n rounded up with
// probability equal to its fractional part and down otherwise. Then
// E[Q(v)] = v and E||Q(v) - v||^2 <= min(d / s^2, sqrt(d) / s) ||v||^2.
import type { Rng } from "../../core/rng.js";

/** Quantisation levels for b bits (one bit carries the sign). */
export function levels(bits: number): number {
  return 2 ** (bits - 1) - 1;
}

/** Quantises `v` in place to `bits` bits (bits >= 32 leaves it unchanged); returns v. */
export function quantize(v: Float64Array, bits: number, rng: Rng): Float64Array {
  if (bits >= 32) return v;
  const s = levels(bits);
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += v[i] * v[i];
  const n = Math.sqrt(sq);
  if (n === 0) return v;
  for (let i = 0; i < v.length; i++) {
    const scaled = (Math.abs(v[i]) / n) * s;
    const low = Math.floor(scaled);
    const level = rng.uniform() < scaled - low ? low + 1 : low;
    v[i] = (Math.sign(v[i]) * n * level) / s;
  }
  return v;
}

/** Quantises each row (bucket) of a `rows x width` matrix separately, in place. */
export function quantizeRows(m: Float64Array, rows: number, bits: number, rng: Rng): Float64Array {
  if (bits >= 32) return m;
  const width = m.length / rows;
  for (let r = 0; r < rows; r++) quantize(m.subarray(r * width, (r + 1) * width), bits, rng);
  return m;
}

/** The exact variance E||Q(v) - v||^2 = (n/s)^2 sum p_i (1 - p_i), p_i the fractional parts. */
export function quantizationVariance(v: Float64Array, bits: number): number {
  if (bits >= 32) return 0;
  const s = levels(bits);
  const n = Math.sqrt(v.reduce((acc, x) => acc + x * x, 0));
  if (n === 0) return 0;
  let total = 0;
  for (const x of v) {
    const scaled = (Math.abs(x) / n) * s;
    const p = scaled - Math.floor(scaled);
    total += p * (1 - p);
  }
  return (n / s) ** 2 * total;
}

/** QSGD's bound min(d/s^2, sqrt(d)/s) ||v||^2 on the variance. */
export function varianceBound(v: Float64Array, bits: number): number {
  if (bits >= 32) return 0;
  const s = levels(bits);
  const d = v.length;
  const sq = v.reduce((acc, x) => acc + x * x, 0);
  return Math.min(d / (s * s), Math.sqrt(d) / s) * sq;
}

/** Bits to send `rows` quantised buckets of `kept` entries each: a 32-bit norm plus b bits per entry. */
export function quantizedBits(rows: number, kept: number, bits: number): number {
  return bits >= 32 ? rows * kept * 32 : rows * (32 + kept * bits);
}
