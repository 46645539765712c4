// Minimum free energy folding (Zuker & Stiegler 1981) with traceback, and a count of the
// structures attaining the minimum. O(n^3) time with interior loops capped at 30 nt, O(n^2) memory.
// The decomposition is unambiguous (each structure has one derivation), so counting optimal
// derivations counts distinct MFE structures.
import { hairpinEnergy, interiorEnergy, type Model, stemEnergy } from "./energy.js";
import { INF, MAXLOOP } from "./params.js";
import { MIN_HAIRPIN, PAIR_TYPE, RTYPE, toDotBracket } from "./sequence.js";

/** Filled MFE tables of one sequence, flat n x n (index i * n + j, 0-based, inclusive). */
export interface MfeTables {
  n: number;
  /** Pair type of (i, j) where i, j can pair and close a hairpin of >= 3, else 0. */
  ptype: Int8Array;
  /** c[i,j]: lowest energy of [i, j] given that i pairs with j. */
  c: Int32Array;
  /** fm[i,j]: lowest energy of [i, j] as part of a multiloop, with at least one stem. */
  fm: Int32Array;
  /** fm1[i,j] at index j * n + i (transposed): one multiloop stem (i, l), l <= j, then unpaired bases. */
  fm1: Int32Array;
  /** f5[j]: lowest energy of the prefix [0, j) as an exterior loop; f5[0] = 0. */
  f5: Int32Array;
}

export interface MfeResult {
  /** Minimum free energy in dcal/mol. */
  energy: number;
  /** One MFE structure as a pair table. */
  pt: Int32Array;
  structure: string;
  tables: MfeTables;
}

/** Pair types for every (i, j) that may pair, honouring the minimum hairpin size. */
export function pairTypes(S: Uint8Array): Int8Array {
  const n = S.length;
  const ptype = new Int8Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + MIN_HAIRPIN + 1; j < n; j++) ptype[i * n + j] = PAIR_TYPE[S[i] * 5 + S[j]];
  }
  return ptype;
}

/** Energy of the exterior stem (i, j) with the model's dangles. */
export function exteriorStem(model: Model, S: Uint8Array, i: number, j: number): number {
  const d2 = model.dangles === 2;
  const n = S.length;
  const type = PAIR_TYPE[S[i] * 5 + S[j]];
  return stemEnergy(
    model.params,
    type,
    d2 && i > 0 ? S[i - 1] : -1,
    d2 && j < n - 1 ? S[j + 1] : -1,
    false,
  );
}

/** Energy of the stem (i, j) inside a multiloop (its neighbours always exist there). */
export function multiStem(model: Model, S: Uint8Array, i: number, j: number): number {
  const d2 = model.dangles === 2;
  const type = PAIR_TYPE[S[i] * 5 + S[j]];
  return stemEnergy(model.params, type, d2 ? S[i - 1] : -1, d2 ? S[j + 1] : -1, true);
}

/** Closing pair (i, j) of a multiloop, seen from inside: closing penalty and its stem term. */
export function multiClosing(model: Model, S: Uint8Array, i: number, j: number): number {
  const d2 = model.dangles === 2;
  const type = RTYPE[PAIR_TYPE[S[i] * 5 + S[j]]];
  return (
    model.params.mlClosing +
    stemEnergy(model.params, type, d2 ? S[j - 1] : -1, d2 ? S[i + 1] : -1, true)
  );
}

/**
 * Fills the MFE tables for sequence S (base codes 1..4). Generic interior loops (both sides
 * >= 3 nt) split into size + asymmetry (by n1, n2), the outer mismatch, and the inner mismatch
 * per inner pair, so their inner loop is a few loads; the rest go through interiorEnergy.
 */
export function fillMfe(model: Model, S: Uint8Array): MfeTables {
  const P = model.params;
  const n = S.length;
  const ptype = pairTypes(S);
  const c = new Int32Array(n * n).fill(INF);
  const fm = new Int32Array(n * n).fill(INF);
  const fm1 = new Int32Array(n * n).fill(INF);
  const f5 = new Int32Array(n + 1);
  const mlBase = P.mlBase;
  const sized = new Int32Array(32 * 32);
  for (let n1 = 0; n1 <= MAXLOOP; n1++) {
    for (let n2 = 0; n1 + n2 <= MAXLOOP; n2++) {
      sized[n1 * 32 + n2] = P.interior[n1 + n2] + Math.min(P.maxNinio, Math.abs(n1 - n2) * P.ninio);
    }
  }
  const innerMismatch = new Int32Array(n * n);
  for (let p = 1; p < n; p++) {
    for (let q = p + MIN_HAIRPIN + 1; q < n - 1; q++) {
      const t = ptype[p * n + q];
      if (t !== 0)
        innerMismatch[p * n + q] = P.mismatchInterior[(RTYPE[t] * 5 + S[q + 1]) * 5 + S[p - 1]];
    }
  }

  for (let i = n - 1; i >= 0; i--) {
    for (let j = i + MIN_HAIRPIN + 1; j < n; j++) {
      const ij = i * n + j;
      const type = ptype[ij];
      if (type !== 0) {
        let best = hairpinEnergy(P, S, i, j);

        // interior loops, bulges and stacks: inner pair (p, q), at most MAXLOOP unpaired
        const si1 = S[i + 1];
        const sj1 = S[j - 1];
        let generic = INF;
        const pMax = Math.min(i + MAXLOOP + 1, j - MIN_HAIRPIN - 2);
        for (let p = i + 1; p <= pMax; p++) {
          const n1 = p - i - 1;
          const qMin = Math.max(p + MIN_HAIRPIN + 1, j - 1 - MAXLOOP + n1);
          const row = p * n;
          const sp1 = S[p - 1];
          const qSmall = n1 <= 2 ? qMin : Math.max(qMin, j - 3);
          for (let q = j - 1; q >= qSmall; q--) {
            const t2 = ptype[row + q];
            if (t2 === 0) continue;
            const inner = c[row + q];
            if (inner >= INF) continue;
            const e =
              interiorEnergy(P, type, RTYPE[t2], n1, j - q - 1, si1, sj1, sp1, S[q + 1]) + inner;
            if (e < best) best = e;
          }
          if (n1 <= 2) continue;
          const t = n1 * 32 + j - 1;
          for (let q = qSmall - 1; q >= qMin; q--) {
            const e = sized[t - q] + c[row + q] + innerMismatch[row + q];
            if (e < generic) generic = e;
          }
        }
        if (generic < INF) {
          const e = generic + P.mismatchInterior[(type * 5 + si1) * 5 + sj1];
          if (e < best) best = e;
        }

        // multiloop: fm[i+1, u-1] holds >= 1 stem, fm1[u, j-1] the last one
        let ml = INF;
        const left = (i + 1) * n - 1;
        const col = (j - 1) * n;
        for (let u = i + MIN_HAIRPIN + 3; u <= j - MIN_HAIRPIN - 2; u++) {
          const e = fm[left + u] + fm1[col + u];
          if (e < ml) ml = e;
        }
        if (ml < INF) {
          const e = ml + multiClosing(model, S, i, j);
          if (e < best) best = e;
        }
        c[ij] = best;
      }

      // fm1: stem (i, j), or stem (i, l) with j unpaired
      let m1 = fm1[(j - 1) * n + i] + mlBase;
      if (type !== 0 && c[ij] < INF) {
        const e = c[ij] + multiStem(model, S, i, j);
        if (e < m1) m1 = e;
      }
      fm1[j * n + i] = Math.min(m1, INF);

      // fm: the last stem starts at k; before it unpaired bases or more stems
      let m = INF;
      const col = j * n;
      const rowStart = ij - j;
      for (let k = i; k <= j - MIN_HAIRPIN - 1; k++) {
        const last = fm1[col + k];
        if (last >= INF) continue;
        const before = k > i ? fm[rowStart + k - 1] : INF;
        const unpaired = (k - i) * mlBase;
        const e = Math.min(before, unpaired) + last;
        if (e < m) m = e;
      }
      fm[ij] = m;
    }
  }

  // exterior loop: f5[j + 1] covers [0, j]
  for (let j = 0; j < n; j++) {
    let best = f5[j];
    for (let k = 0; k <= j - MIN_HAIRPIN - 1; k++) {
      const kj = k * n + j;
      if (ptype[kj] === 0 || c[kj] >= INF) continue;
      const e = f5[k] + c[kj] + exteriorStem(model, S, k, j);
      if (e < best) best = e;
    }
    f5[j + 1] = best;
  }
  return { n, ptype, c, fm, fm1, f5 };
}

/** Recovers one optimal structure from filled tables. */
export function tracebackMfe(model: Model, S: Uint8Array, t: MfeTables): Int32Array {
  const P = model.params;
  const { n, ptype, c, fm, fm1, f5 } = t;
  const pt = new Int32Array(n).fill(-1);
  const fail = (what: string): never => {
    throw new Error(`MFE traceback failed in ${what}`);
  };
  // work items: [kind, i, j]; kinds: 0 = f5 prefix ending at j, 1 = c, 2 = fm, 3 = fm1
  const stack: [number, number, number][] = [[0, 0, n - 1]];
  while (stack.length > 0) {
    const [kind, i, j] = stack.pop()!;
    if (kind === 0) {
      if (j < 0) continue;
      if (f5[j + 1] === f5[j]) {
        stack.push([0, 0, j - 1]);
        continue;
      }
      let found = false;
      for (let k = 0; k <= j - MIN_HAIRPIN - 1 && !found; k++) {
        const kj = k * n + j;
        if (ptype[kj] === 0 || c[kj] >= INF) continue;
        if (f5[k] + c[kj] + exteriorStem(model, S, k, j) === f5[j + 1]) {
          stack.push([0, 0, k - 1], [1, k, j]);
          found = true;
        }
      }
      if (!found) fail("exterior loop");
    } else if (kind === 1) {
      pt[i] = j;
      pt[j] = i;
      const ij = i * n + j;
      const target = c[ij];
      const type = ptype[ij];
      if (hairpinEnergy(P, S, i, j) === target) continue;
      let found = false;
      const pMax = Math.min(i + MAXLOOP + 1, j - MIN_HAIRPIN - 2);
      for (let p = i + 1; p <= pMax && !found; p++) {
        const n1 = p - i - 1;
        const qMin = Math.max(p + MIN_HAIRPIN + 1, j - 1 - MAXLOOP + n1);
        for (let q = j - 1; q >= qMin; q--) {
          const t2 = ptype[p * n + q];
          if (t2 === 0 || c[p * n + q] >= INF) continue;
          const e = interiorEnergy(
            P,
            type,
            RTYPE[t2],
            n1,
            j - q - 1,
            S[i + 1],
            S[j - 1],
            S[p - 1],
            S[q + 1],
          );
          if (e + c[p * n + q] === target) {
            stack.push([1, p, q]);
            found = true;
            break;
          }
        }
      }
      if (found) continue;
      const rest = target - multiClosing(model, S, i, j);
      for (let u = i + MIN_HAIRPIN + 3; u <= j - MIN_HAIRPIN - 2; u++) {
        if (fm[(i + 1) * n + u - 1] + fm1[(j - 1) * n + u] === rest) {
          stack.push([2, i + 1, u - 1], [3, u, j - 1]);
          found = true;
          break;
        }
      }
      if (!found) fail(`pair ${i + 1}-${j + 1}`);
    } else if (kind === 2) {
      const target = fm[i * n + j];
      let found = false;
      for (let k = i; k <= j - MIN_HAIRPIN - 1; k++) {
        const last = fm1[j * n + k];
        if (last >= INF) continue;
        if ((k - i) * P.mlBase + last === target) {
          stack.push([3, k, j]);
          found = true;
          break;
        }
        if (k > i && fm[i * n + k - 1] + last === target) {
          stack.push([2, i, k - 1], [3, k, j]);
          found = true;
          break;
        }
      }
      if (!found) fail("multiloop");
    } else {
      const ij = i * n + j;
      if (ptype[ij] !== 0 && c[ij] < INF && c[ij] + multiStem(model, S, i, j) === fm1[j * n + i]) {
        stack.push([1, i, j]);
      } else stack.push([3, i, j - 1]);
    }
  }
  return pt;
}

/** MFE structure and energy (dcal/mol) of sequence S, like RNAfold. */
export function mfe(model: Model, S: Uint8Array): MfeResult {
  const tables = fillMfe(model, S);
  const pt = tracebackMfe(model, S, tables);
  return { energy: tables.f5[S.length], pt, structure: toDotBracket(pt), tables };
}

/**
 * Number of distinct structures whose energy equals the minimum (ViennaRNA's MFE degeneracy),
 * counted over the same unambiguous decomposition as fillMfe.
 */
export function countMfeStructures(model: Model, S: Uint8Array, t: MfeTables): number {
  const P = model.params;
  const { n, ptype, c, fm, fm1, f5 } = t;
  const nc = new Float64Array(n * n);
  const nm = new Float64Array(n * n);
  const nm1 = new Float64Array(n * n);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = i + MIN_HAIRPIN + 1; j < n; j++) {
      const ij = i * n + j;
      const type = ptype[ij];
      if (type !== 0 && c[ij] < INF) {
        const target = c[ij];
        let count = hairpinEnergy(P, S, i, j) === target ? 1 : 0;
        const pMax = Math.min(i + MAXLOOP + 1, j - MIN_HAIRPIN - 2);
        for (let p = i + 1; p <= pMax; p++) {
          const n1 = p - i - 1;
          const qMin = Math.max(p + MIN_HAIRPIN + 1, j - 1 - MAXLOOP + n1);
          for (let q = j - 1; q >= qMin; q--) {
            const pq = p * n + q;
            if (ptype[pq] === 0 || c[pq] >= INF) continue;
            const e = interiorEnergy(
              P,
              type,
              RTYPE[ptype[pq]],
              n1,
              j - q - 1,
              S[i + 1],
              S[j - 1],
              S[p - 1],
              S[q + 1],
            );
            if (e + c[pq] === target) count += nc[pq];
          }
        }
        const rest = target - multiClosing(model, S, i, j);
        for (let u = i + MIN_HAIRPIN + 3; u <= j - MIN_HAIRPIN - 2; u++) {
          const a = (i + 1) * n + u - 1;
          const b = (j - 1) * n + u;
          if (fm[a] + fm1[b] === rest) count += nm[a] * nm1[b];
        }
        nc[ij] = count;
      }
      const ji = j * n + i;
      const prev = ji - n;
      let m1 = fm1[prev] < INF && fm1[prev] + P.mlBase === fm1[ji] ? nm1[prev] : 0;
      if (type !== 0 && c[ij] < INF && c[ij] + multiStem(model, S, i, j) === fm1[ji]) m1 += nc[ij];
      nm1[ji] = m1;
      let m = 0;
      for (let k = i; k <= j - MIN_HAIRPIN - 1; k++) {
        const last = fm1[j * n + k];
        if (last >= INF) continue;
        if ((k - i) * P.mlBase + last === fm[ij]) m += nm1[j * n + k];
        if (k > i && fm[i * n + k - 1] + last === fm[ij]) m += nm[i * n + k - 1] * nm1[j * n + k];
      }
      nm[ij] = m;
    }
  }
  const n5 = new Float64Array(n + 1);
  n5[0] = 1;
  for (let j = 0; j < n; j++) {
    let count = f5[j] === f5[j + 1] ? n5[j] : 0;
    for (let k = 0; k <= j - MIN_HAIRPIN - 1; k++) {
      const kj = k * n + j;
      if (ptype[kj] === 0 || c[kj] >= INF) continue;
      if (f5[k] + c[kj] + exteriorStem(model, S, k, j) === f5[j + 1]) count += n5[k] * nc[kj];
    }
    n5[j + 1] = count;
  }
  return n5[n];
}
