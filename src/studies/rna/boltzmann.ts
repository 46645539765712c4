// Boltzmann factors exp(-E / kT) of the loop energies, tabulated once per model so that the
// partition function multiplies table entries instead of calling exp in its inner loops.
import type { Model } from "./energy.js";
import { type EnergyParams, LXC, MAXLOOP } from "./params.js";

/** Gas constant in cal/(mol K) and 0 C in kelvin, as ViennaRNA uses them. */
const GAS_CONSTANT = 1.98717;
const ZERO_C = 273.15;

/** kT in kcal/mol at 37 C. */
export const KT = ((37 + ZERO_C) * GAS_CONSTANT) / 1000;

/** Boltzmann factor of an energy in dcal/mol at 37 C. */
export function boltzmann(energy: number): number {
  return Math.exp(-energy / (100 * KT));
}

function expTable(values: Int32Array): Float64Array {
  return Float64Array.from(values, boltzmann);
}

export interface BoltzmannTables {
  stack: Float64Array;
  int11: Float64Array;
  int21: Float64Array;
  int22: Float64Array;
  mismatchInterior: Float64Array;
  mismatchInterior1n: Float64Array;
  mismatchInterior23: Float64Array;
  /** Size terms for interior loops and bulges 0..30. */
  interior: Float64Array;
  bulge: Float64Array;
  /** Ninio asymmetry term for |n1 - n2| = 0..30. */
  ninio: Float64Array;
  terminalAU: number;
  /** exp(-mlBase / kT). */
  mlBase: number;
  mlIntern: number;
  mlClosing: number;
  /** Stem terms of multiloops and the exterior loop, smoothed as ViennaRNA does (see below). */
  mismatchMulti: Float64Array;
  mismatchExterior: Float64Array;
  dangle5: Float64Array;
  dangle3: Float64Array;
}

/**
 * ViennaRNA (2.x, pf_smooth on by default) passes the dangle and exterior/multiloop mismatch
 * energies through a smooth ramp before taking Boltzmann factors, so that bonuses near zero
 * (the "-0" entries) are not exactly zero: x = -E in dcal/mol; below -12.28 the result is 0,
 * above 8.66 it is x, and in between 3.849 (sin(x / 10 - 0.3424) + 1)^2. The MFE and RNAeval
 * use the plain integers; only the partition function sees the ramp.
 */
function smoothBonus(x: number): number {
  const y = x / 10;
  if (y < -1.2283697) return 0;
  if (y > 0.8660254) return x;
  const f = Math.sin(y - 0.34242663) + 1;
  return 10 * 0.38490018 * f * f;
}

function smoothTable(values: Int32Array, on: boolean): Float64Array {
  return Float64Array.from(values, (e) => (on ? Math.exp(smoothBonus(-e) / (100 * KT)) : 1));
}

const cache = new WeakMap<EnergyParams, BoltzmannTables[]>();

/** The Boltzmann tables of a model's parameters (cached per parameter set). */
export function boltzmannTables(model: Model): BoltzmannTables {
  const P = model.params;
  const hit = cache.get(P)?.[model.dangles];
  if (hit) return hit;
  const d2 = model.dangles !== 0;
  const ninio = new Float64Array(MAXLOOP + 1);
  for (let d = 0; d <= MAXLOOP; d++) ninio[d] = boltzmann(Math.min(P.maxNinio, d * P.ninio));
  const tables: BoltzmannTables = {
    stack: expTable(P.stack),
    int11: expTable(P.int11),
    int21: expTable(P.int21),
    int22: expTable(P.int22),
    mismatchInterior: expTable(P.mismatchInterior),
    mismatchInterior1n: expTable(P.mismatchInterior1n),
    mismatchInterior23: expTable(P.mismatchInterior23),
    interior: expTable(P.interior),
    bulge: expTable(P.bulge),
    ninio,
    terminalAU: boltzmann(P.terminalAU),
    mlBase: boltzmann(P.mlBase),
    mlIntern: boltzmann(P.mlIntern),
    mlClosing: boltzmann(P.mlClosing),
    mismatchMulti: smoothTable(P.mismatchMulti, d2),
    mismatchExterior: smoothTable(P.mismatchExterior, d2),
    dangle5: smoothTable(P.dangle5, d2),
    dangle3: smoothTable(P.dangle3, d2),
  };
  const perDangle = cache.get(P) ?? [];
  perDangle[model.dangles] = tables;
  cache.set(P, perDangle);
  return tables;
}

/**
 * Boltzmann factor of a multiloop (multi = true) or exterior stem of type `type` with
 * neighbours s5 and s3 (-1 where absent or dangles are off); see stemEnergy in energy.ts.
 */
export function stemFactor(
  B: BoltzmannTables,
  type: number,
  s5: number,
  s3: number,
  multi: boolean,
): number {
  let f = 1;
  if (s5 >= 0 && s3 >= 0) {
    f = (multi ? B.mismatchMulti : B.mismatchExterior)[(type * 5 + s5) * 5 + s3];
  } else if (s5 >= 0) f = B.dangle5[type * 5 + s5];
  else if (s3 >= 0) f = B.dangle3[type * 5 + s3];
  if (type > 2) f *= B.terminalAU;
  if (multi) f *= B.mlIntern;
  return f;
}

/** Size factor of a loop of `size` nt from a 0..30 table, extrapolated beyond as ViennaRNA does. */
function sizeFactor(table: Float64Array, size: number): number {
  if (size <= MAXLOOP) return table[size];
  return table[MAXLOOP] * Math.exp(-(LXC * Math.log(size / MAXLOOP)) / (100 * KT));
}

/** Boltzmann factor of interiorEnergy(...) with the same arguments (see energy.ts). */
export function interiorFactor(
  B: BoltzmannTables,
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
  if (nl === 0) return B.stack[type * 8 + type2];
  if (ns === 0) {
    let f = sizeFactor(B.bulge, nl);
    if (nl === 1) f *= B.stack[type * 8 + type2];
    else {
      if (type > 2) f *= B.terminalAU;
      if (type2 > 2) f *= B.terminalAU;
    }
    return f;
  }
  if (ns === 1) {
    if (nl === 1) return B.int11[((type * 8 + type2) * 5 + si1) * 5 + sj1];
    if (nl === 2) {
      if (n1 === 1) return B.int21[(((type * 8 + type2) * 5 + si1) * 5 + sq1) * 5 + sj1];
      return B.int21[(((type2 * 8 + type) * 5 + sq1) * 5 + si1) * 5 + sp1];
    }
    return (
      sizeFactor(B.interior, nl + 1) *
      B.ninio[nl - ns] *
      B.mismatchInterior1n[(type * 5 + si1) * 5 + sj1] *
      B.mismatchInterior1n[(type2 * 5 + sq1) * 5 + sp1]
    );
  }
  if (ns === 2) {
    if (nl === 2) {
      return B.int22[((((type * 8 + type2) * 5 + si1) * 5 + sp1) * 5 + sq1) * 5 + sj1];
    }
    if (nl === 3) {
      return (
        B.interior[5] *
        B.ninio[1] *
        B.mismatchInterior23[(type * 5 + si1) * 5 + sj1] *
        B.mismatchInterior23[(type2 * 5 + sq1) * 5 + sp1]
      );
    }
  }
  return (
    sizeFactor(B.interior, nl + ns) *
    B.ninio[nl - ns] *
    B.mismatchInterior[(type * 5 + si1) * 5 + sj1] *
    B.mismatchInterior[(type2 * 5 + sq1) * 5 + sp1]
  );
}
