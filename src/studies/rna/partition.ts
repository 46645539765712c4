// McCaskill's partition function (1990) over all secondary structures, with outside values and
// base-pair probabilities, in float64. Every span [i, j] is stored divided by s^(j - i + 1) for
// a per-nucleotide scale s, so long sequences neither overflow nor underflow.
import {
  type BoltzmannTables,
  boltzmann,
  boltzmannTables,
  interiorFactor,
  KT,
  stemFactor,
} from "./boltzmann.js";
import { hairpinEnergy, type Model } from "./energy.js";
import { mfe, pairTypes } from "./mfe.js";
import { MAXLOOP } from "./params.js";
import { MIN_HAIRPIN, PAIR_TYPE, RTYPE } from "./sequence.js";

/** Factor of the exterior stem (i, j). */
function exteriorFactor(B: BoltzmannTables, d2: boolean, S: Uint8Array, i: number, j: number) {
  const n = S.length;
  const type = PAIR_TYPE[S[i] * 5 + S[j]];
  return stemFactor(B, type, d2 && i > 0 ? S[i - 1] : -1, d2 && j < n - 1 ? S[j + 1] : -1, false);
}

/** Factor of the stem (i, j) inside a multiloop. */
function multiFactor(B: BoltzmannTables, d2: boolean, S: Uint8Array, i: number, j: number) {
  const type = PAIR_TYPE[S[i] * 5 + S[j]];
  return stemFactor(B, type, d2 ? S[i - 1] : -1, d2 ? S[j + 1] : -1, true);
}

/** Factor of (i, j) closing a multiloop: closing penalty and its stem seen from inside. */
function closingFactor(B: BoltzmannTables, d2: boolean, S: Uint8Array, i: number, j: number) {
  const type = RTYPE[PAIR_TYPE[S[i] * 5 + S[j]]];
  return B.mlClosing * stemFactor(B, type, d2 ? S[j - 1] : -1, d2 ? S[i + 1] : -1, true);
}

/** Inside tables of one sequence (flat n x n, index i * n + j), scaled by s^-(span length). */
export interface InsideTables {
  n: number;
  ptype: Int8Array;
  /** qb[i,j]: structures of [i, j] in which i pairs with j. */
  qb: Float64Array;
  /** qm[i,j]: multiloop parts of [i, j] with at least one stem. */
  qm: Float64Array;
  /** qm1[i,j] at index j * n + i (transposed): one multiloop stem (i, l), l <= j, then unpaired bases. */
  qm1: Float64Array;
  /** q5[j]: the prefix [0, j) as exterior loop; q5[0] = 1. */
  q5: Float64Array;
  /** scale[k] = s^-k. */
  scale: Float64Array;
  /** ln Z, the unscaled log partition function. */
  logZ: number;
}

export interface PartitionResult extends InsideTables {
  /** Ensemble free energy -kT ln Z in kcal/mol. */
  ensembleEnergy: number;
  /** Base-pair probabilities, flat n x n for i < j (zero elsewhere). */
  bpp: Float64Array;
}

export interface PartitionOptions {
  /**
   * Expected free energy per nucleotide (kcal/mol) used to pick the scale s = exp(-e / kT).
   * Default: -0.3 up to 1000 nt, the MFE per nucleotide beyond (as ViennaRNA does).
   */
  energyPerBase?: number;
}

function scaleFactors(
  model: Model,
  S: Uint8Array,
  options: PartitionOptions,
): { scale: Float64Array; logScaleN: number } {
  const n = S.length;
  let perBase = options.energyPerBase;
  if (perBase === undefined) perBase = n <= 1000 ? -0.3 : mfe(model, S).energy / 100 / n;
  const scale = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) scale[k] = Math.exp((k * perBase) / KT);
  // ln scale[n] in closed form: scale[n] itself can underflow for very stable sequences
  return { scale, logScaleN: (n * perBase) / KT };
}

/**
 * Factors shared by the interior-loop loops of the inside and outside passes. Generic interior
 * loops (both sides >= 3 nt, or 2 x >= 4) factor as size(n1 + n2) * ninio(|n1 - n2|) *
 * mismatch(outer) * mismatch(inner): `sized` holds the first two with the span scale, indexed
 * n1 * 32 + n2, and `innerMismatch` the last per inner pair, so the hot loop is two loads and
 * a multiply-add. Small loops, bulges and stacks go through interiorFactor.
 */
interface LoopFactors {
  sized: Float64Array;
  innerMismatch: Float64Array;
}

function loopFactors(
  B: BoltzmannTables,
  S: Uint8Array,
  ptype: Int8Array,
  scale: Float64Array,
): LoopFactors {
  const n = S.length;
  const sized = new Float64Array(32 * 32);
  for (let n1 = 0; n1 <= MAXLOOP; n1++) {
    for (let n2 = 0; n1 + n2 <= MAXLOOP; n2++) {
      sized[n1 * 32 + n2] = B.interior[n1 + n2] * B.ninio[Math.abs(n1 - n2)] * scale[n1 + n2 + 2];
    }
  }
  const innerMismatch = new Float64Array(n * n);
  for (let p = 1; p < n; p++) {
    for (let q = p + MIN_HAIRPIN + 1; q < n - 1; q++) {
      const t = ptype[p * n + q];
      if (t !== 0)
        innerMismatch[p * n + q] = B.mismatchInterior[(RTYPE[t] * 5 + S[q + 1]) * 5 + S[p - 1]];
    }
  }
  return { sized, innerMismatch };
}

/**
 * Fills the inside tables and ln Z for sequence S. qm1 is stored transposed (index j * n + i)
 * so that the multiloop sums over its first index read memory in order.
 */
export function inside(model: Model, S: Uint8Array, options: PartitionOptions = {}): InsideTables {
  const tables = insideScaled(model, S, options);
  if (Number.isFinite(tables.logZ) || options.energyPerBase !== undefined || S.length === 0)
    return tables;
  // The default scale (-0.3 kcal/mol per nucleotide) overflows for very stable
  // sequences (ensemble energy below about -440 kcal/mol): rescale from the MFE
  // per nucleotide, times 1.07 as ViennaRNA's pf_scale does.
  const energyPerBase = (1.07 * mfe(model, S).energy) / 100 / S.length;
  const rescaled = insideScaled(model, S, { energyPerBase });
  if (!Number.isFinite(rescaled.logZ)) {
    throw new Error(
      `partition function out of floating-point range for this ${S.length}-nt sequence`,
    );
  }
  return rescaled;
}

function insideScaled(model: Model, S: Uint8Array, options: PartitionOptions): InsideTables {
  const P = model.params;
  const B = boltzmannTables(model);
  const d2 = model.dangles === 2;
  const n = S.length;
  const ptype = pairTypes(S);
  const { scale, logScaleN } = scaleFactors(model, S, options);
  const { sized, innerMismatch } = loopFactors(B, S, ptype, scale);
  const qb = new Float64Array(n * n);
  const qm = new Float64Array(n * n);
  const qm1 = new Float64Array(n * n);
  const q5 = new Float64Array(n + 1);
  // unpaired[k]: k unpaired multiloop bases, with their scale
  const unpaired = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) unpaired[k] = B.mlBase ** k * scale[k];
  const scale1 = unpaired[1];

  for (let i = n - 1; i >= 0; i--) {
    for (let j = i + MIN_HAIRPIN + 1; j < n; j++) {
      const ij = i * n + j;
      const type = ptype[ij];
      if (type !== 0) {
        let sum = boltzmann(hairpinEnergy(P, S, i, j, false)) * scale[j - i + 1];

        // interior loops, bulges and stacks with inner pair (p, q)
        const si1 = S[i + 1];
        const sj1 = S[j - 1];
        let generic = 0;
        const pMax = Math.min(i + MAXLOOP + 1, j - MIN_HAIRPIN - 2);
        for (let p = i + 1; p <= pMax; p++) {
          const n1 = p - i - 1;
          const qMin = Math.max(p + MIN_HAIRPIN + 1, j - 1 - MAXLOOP + n1);
          const row = p * n;
          const sp1 = S[p - 1];
          // small loops, bulges and stacks: n1 <= 2 or n2 <= 2 (or 2 x 3)
          const qSmall = n1 <= 2 ? qMin : Math.max(qMin, j - 3);
          for (let q = j - 1; q >= qSmall; q--) {
            const inner = qb[row + q];
            if (inner === 0) continue;
            const f = interiorFactor(
              B,
              type,
              RTYPE[ptype[row + q]],
              n1,
              j - q - 1,
              si1,
              sj1,
              sp1,
              S[q + 1],
            );
            sum += f * inner * scale[n1 + j - q + 1];
          }
          if (n1 <= 2) continue;
          const t = n1 * 32 + j - 1;
          for (let q = qSmall - 1; q >= qMin; q--) {
            const inner = qb[row + q];
            if (inner !== 0) generic += sized[t - q] * inner * innerMismatch[row + q];
          }
        }
        sum += generic * B.mismatchInterior[(type * 5 + si1) * 5 + sj1];

        // multiloops: qm[i+1, u-1] holds >= 1 stem, qm1[u, j-1] the last one
        let ml = 0;
        const left = (i + 1) * n - 1;
        const col = (j - 1) * n;
        for (let u = i + MIN_HAIRPIN + 3; u <= j - MIN_HAIRPIN - 2; u++) {
          ml += qm[left + u] * qm1[col + u];
        }
        if (ml > 0) sum += ml * closingFactor(B, d2, S, i, j) * scale[2];
        qb[ij] = sum;
      }

      let m1 = qm1[(j - 1) * n + i] * scale1;
      if (qb[ij] > 0) m1 += qb[ij] * multiFactor(B, d2, S, i, j);
      qm1[j * n + i] = m1;

      let m = 0;
      const rowStart = ij - j;
      const col = j * n;
      for (let k = i; k <= j - MIN_HAIRPIN - 1; k++) {
        const last = qm1[col + k];
        if (last === 0) continue;
        m += (unpaired[k - i] + (k > i ? qm[rowStart + k - 1] : 0)) * last;
      }
      qm[ij] = m;
    }
  }

  q5[0] = 1;
  for (let j = 0; j < n; j++) {
    let sum = q5[j] * scale[1];
    for (let k = 0; k <= j - MIN_HAIRPIN - 1; k++) {
      const b = qb[k * n + j];
      if (b === 0) continue;
      sum += q5[k] * b * exteriorFactor(B, d2, S, k, j);
    }
    q5[j + 1] = sum;
  }
  const logZ = Math.log(q5[n]) - logScaleN;
  return { n, ptype, qb, qm, qm1, q5, scale, logZ };
}

/** Outside pass: base-pair probabilities from filled inside tables. */
export function pairProbabilities(model: Model, S: Uint8Array, t: InsideTables): Float64Array {
  const B = boltzmannTables(model);
  const d2 = model.dangles === 2;
  const { n, ptype, qb, qm, qm1, q5, scale } = t;
  const { sized, innerMismatch } = loopFactors(B, S, ptype, scale);
  const ob = new Float64Array(n * n);
  const om = new Float64Array(n * n);
  // outside of qm1, transposed like qm1
  const om1 = new Float64Array(n * n);
  const o5 = new Float64Array(n + 1);
  const unpaired = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) unpaired[k] = B.mlBase ** k * scale[k];
  const scale1 = unpaired[1];

  o5[n] = 1;
  for (let j = n - 1; j >= 0; j--) {
    const out = o5[j + 1];
    o5[j] += out * scale[1];
    for (let k = 0; k <= j - MIN_HAIRPIN - 1; k++) {
      const b = qb[k * n + j];
      if (b === 0) continue;
      const w = out * exteriorFactor(B, d2, S, k, j);
      o5[k] += w * b;
      ob[k * n + j] += w * q5[k];
    }
  }

  // Every value received by (i, j) comes from a cell (i', j') with i' <= i and j' >= j that
  // comes earlier in this order (om before om1 before ob within the same cell).
  for (let i = 0; i < n; i++) {
    for (let j = n - 1; j >= i + MIN_HAIRPIN + 1; j--) {
      const ij = i * n + j;
      const col = j * n;

      const outM = om[ij];
      if (outM !== 0) {
        const rowStart = ij - j;
        for (let k = i; k <= j - MIN_HAIRPIN - 1; k++) {
          const before = unpaired[k - i] + (k > i ? qm[rowStart + k - 1] : 0);
          om1[col + k] += outM * before;
          if (k > i) om[rowStart + k - 1] += outM * qm1[col + k];
        }
      }

      const outM1 = om1[col + i];
      if (outM1 !== 0) {
        om1[col - n + i] += outM1 * scale1;
        if (qb[ij] > 0) ob[ij] += outM1 * multiFactor(B, d2, S, i, j);
      }

      const outB = ob[ij];
      if (outB === 0 || qb[ij] === 0) continue;
      const type = ptype[ij];
      const si1 = S[i + 1];
      const sj1 = S[j - 1];
      const outGeneric = outB * B.mismatchInterior[(type * 5 + si1) * 5 + sj1];
      const pMax = Math.min(i + MAXLOOP + 1, j - MIN_HAIRPIN - 2);
      for (let p = i + 1; p <= pMax; p++) {
        const n1 = p - i - 1;
        const qMin = Math.max(p + MIN_HAIRPIN + 1, j - 1 - MAXLOOP + n1);
        const row = p * n;
        const sp1 = S[p - 1];
        const qSmall = n1 <= 2 ? qMin : Math.max(qMin, j - 3);
        for (let q = j - 1; q >= qSmall; q--) {
          if (qb[row + q] === 0) continue;
          const f = interiorFactor(
            B,
            type,
            RTYPE[ptype[row + q]],
            n1,
            j - q - 1,
            si1,
            sj1,
            sp1,
            S[q + 1],
          );
          ob[row + q] += outB * f * scale[n1 + j - q + 1];
        }
        if (n1 <= 2) continue;
        const tt = n1 * 32 + j - 1;
        for (let q = qSmall - 1; q >= qMin; q--) {
          if (qb[row + q] !== 0) ob[row + q] += outGeneric * sized[tt - q] * innerMismatch[row + q];
        }
      }
      const w = outB * closingFactor(B, d2, S, i, j) * scale[2];
      const left = (i + 1) * n - 1;
      const prev = (j - 1) * n;
      for (let u = i + MIN_HAIRPIN + 3; u <= j - MIN_HAIRPIN - 2; u++) {
        om[left + u] += w * qm1[prev + u];
        om1[prev + u] += w * qm[left + u];
      }
    }
  }

  const bpp = new Float64Array(n * n);
  const z = q5[n];
  for (let ij = 0; ij < n * n; ij++) if (qb[ij] > 0) bpp[ij] = (qb[ij] * ob[ij]) / z;
  return bpp;
}

/** Partition function, ensemble free energy and base-pair probabilities of S. */
export function partition(
  model: Model,
  S: Uint8Array,
  options: PartitionOptions = {},
): PartitionResult {
  const t = inside(model, S, options);
  const bpp = pairProbabilities(model, S, t);
  return { ...t, ensembleEnergy: -KT * t.logZ, bpp };
}
