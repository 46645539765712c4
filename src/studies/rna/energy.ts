// Loop energies of the nearest-neighbour model and the free energy of a given structure
// (RNAeval's loop decomposition, ViennaRNA 2.6 conventions), in integer dcal/mol.
import { type EnergyParams, INF, LXC, MAXLOOP } from "./params.js";
import { BASES, checkCompatible, PAIR_TYPE, RTYPE } from "./sequence.js";

/** Dangle model: 2 = mismatch/dangle energies on every stem (default), 0 = none. */
export type Dangles = 0 | 2;

/** The parameters plus the dangle model: everything the folding recursions need. */
export interface Model {
  params: EnergyParams;
  dangles: Dangles;
}

/** Energy of a loop longer than the tables (31+ nt), as ViennaRNA truncates it. */
function extrapolate(table: Int32Array, size: number): number {
  return table[MAXLOOP] + Math.trunc(LXC * Math.log(size / MAXLOOP));
}

/**
 * Hairpin closed by (i, j): size term, special tri/tetra/hexaloops, terminal mismatch. With
 * `truncate` false, loops over 30 nt get the untruncated extrapolation, as ViennaRNA's
 * partition function uses it.
 */
export function hairpinEnergy(
  P: EnergyParams,
  S: Uint8Array,
  i: number,
  j: number,
  truncate = true,
): number {
  const size = j - i - 1;
  const type = PAIR_TYPE[S[i] * 5 + S[j]];
  let e = size <= MAXLOOP ? P.hairpin[size] : P.hairpin[MAXLOOP] + LXC * Math.log(size / MAXLOOP);
  if (truncate && size > MAXLOOP) e = extrapolate(P.hairpin, size);
  if (size < 3) return e;
  if (size === 3 || size === 4 || size === 6) {
    let loop = "";
    for (let k = i; k <= j; k++) loop += BASES[S[k] - 1];
    const table = size === 3 ? P.triloops : size === 4 ? P.tetraloops : P.hexaloops;
    const special = table.get(loop);
    if (special !== undefined) return special;
    if (size === 3) return e + (type > 2 ? P.terminalAU : 0);
  }
  e += P.mismatchHairpin[(type * 5 + S[i + 1]) * 5 + S[j - 1]];
  return e;
}

/**
 * Interior loop, bulge or stack between the outer pair (type `type`) and the inner pair seen
 * from the loop (`type2` = type of (q, p)), with n1 = p - i - 1 and n2 = j - q - 1 unpaired
 * bases; si1 = S[i+1], sj1 = S[j-1], sp1 = S[p-1], sq1 = S[q+1].
 */
export function interiorEnergy(
  P: EnergyParams,
  type: number,
  type2: number,
  n1: number,
  n2: number,
  si1: number,
  sj1: number,
  sp1: number,
  sq1: number,
): number {
  const nl = Math.max(n1, n2);
  const ns = Math.min(n1, n2);
  if (nl === 0) return P.stack[type * 8 + type2];
  if (ns === 0) {
    let e = nl <= MAXLOOP ? P.bulge[nl] : extrapolate(P.bulge, nl);
    if (nl === 1) e += P.stack[type * 8 + type2];
    else {
      if (type > 2) e += P.terminalAU;
      if (type2 > 2) e += P.terminalAU;
    }
    return e;
  }
  if (ns === 1) {
    if (nl === 1) return P.int11[((type * 8 + type2) * 5 + si1) * 5 + sj1];
    if (nl === 2) {
      if (n1 === 1) return P.int21[(((type * 8 + type2) * 5 + si1) * 5 + sq1) * 5 + sj1];
      return P.int21[(((type2 * 8 + type) * 5 + sq1) * 5 + si1) * 5 + sp1];
    }
    const u = nl + 1;
    let e = u <= MAXLOOP ? P.interior[u] : extrapolate(P.interior, u);
    e += Math.min(P.maxNinio, (nl - ns) * P.ninio);
    e += P.mismatchInterior1n[(type * 5 + si1) * 5 + sj1];
    e += P.mismatchInterior1n[(type2 * 5 + sq1) * 5 + sp1];
    return e;
  }
  if (ns === 2) {
    if (nl === 2) {
      return P.int22[((((type * 8 + type2) * 5 + si1) * 5 + sp1) * 5 + sq1) * 5 + sj1];
    }
    if (nl === 3) {
      return (
        P.interior[5] +
        P.ninio +
        P.mismatchInterior23[(type * 5 + si1) * 5 + sj1] +
        P.mismatchInterior23[(type2 * 5 + sq1) * 5 + sp1]
      );
    }
  }
  const u = nl + ns;
  let e = u <= MAXLOOP ? P.interior[u] : extrapolate(P.interior, u);
  e += Math.min(P.maxNinio, (nl - ns) * P.ninio);
  e += P.mismatchInterior[(type * 5 + si1) * 5 + sj1];
  e += P.mismatchInterior[(type2 * 5 + sq1) * 5 + sp1];
  return e;
}

/**
 * A stem of type `type` in a multiloop (multi = true) or the exterior loop, with 5' neighbour
 * base s5 and 3' neighbour base s3 (-1 where there is none or dangles are off).
 */
export function stemEnergy(
  P: EnergyParams,
  type: number,
  s5: number,
  s3: number,
  multi: boolean,
): number {
  let e = 0;
  if (s5 >= 0 && s3 >= 0) {
    e += (multi ? P.mismatchMulti : P.mismatchExterior)[(type * 5 + s5) * 5 + s3];
  } else if (s5 >= 0) e += P.dangle5[type * 5 + s5];
  else if (s3 >= 0) e += P.dangle3[type * 5 + s3];
  if (type > 2) e += P.terminalAU;
  if (multi) e += P.mlIntern;
  return e;
}

/** Energy of one loop closed by (i, j) in the pair table (hairpin, interior or multiloop). */
function loopEnergy(model: Model, S: Uint8Array, pt: Int32Array, i: number, j: number): number {
  const P = model.params;
  const d2 = model.dangles === 2;
  const branches: number[] = [];
  for (let k = i + 1; k < j; k++) {
    if (pt[k] > k) {
      branches.push(k);
      k = pt[k];
    }
  }
  if (branches.length === 0) return hairpinEnergy(P, S, i, j);
  const type = PAIR_TYPE[S[i] * 5 + S[j]];
  if (branches.length === 1) {
    const p = branches[0];
    const q = pt[p];
    const type2 = PAIR_TYPE[S[q] * 5 + S[p]];
    return interiorEnergy(
      P,
      type,
      type2,
      p - i - 1,
      j - q - 1,
      S[i + 1],
      S[j - 1],
      S[p - 1],
      S[q + 1],
    );
  }
  let e = P.mlClosing + stemEnergy(P, RTYPE[type], d2 ? S[j - 1] : -1, d2 ? S[i + 1] : -1, true);
  let unpaired = j - i - 1;
  for (const p of branches) {
    const q = pt[p];
    unpaired -= q - p + 1;
    e += stemEnergy(P, PAIR_TYPE[S[p] * 5 + S[q]], d2 ? S[p - 1] : -1, d2 ? S[q + 1] : -1, true);
  }
  return e + unpaired * P.mlBase;
}

/**
 * Free energy (dcal/mol) of sequence S folded into the pair table pt, like RNAeval.
 * Throws a UsageError if the lengths differ or a pair is not canonical.
 */
export function evalStructure(model: Model, S: Uint8Array, pt: Int32Array): number {
  checkCompatible(S, pt);
  const P = model.params;
  const d2 = model.dangles === 2;
  const n = S.length;
  let e = 0;
  for (let i = 0; i < n; i++) {
    const j = pt[i];
    if (j <= i) continue;
    const s5 = d2 && i > 0 ? S[i - 1] : -1;
    const s3 = d2 && j < n - 1 ? S[j + 1] : -1;
    e += stemEnergy(P, PAIR_TYPE[S[i] * 5 + S[j]], s5, s3, false);
    i = j;
  }
  for (let i = 0; i < n; i++) {
    if (pt[i] > i) {
      const loop = loopEnergy(model, S, pt, i, pt[i]);
      if (loop >= INF) return INF;
      e += loop;
    }
  }
  return e;
}
