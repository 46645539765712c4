// Reader for ViennaRNA "RNAfold parameter file v2.0" energy tables (Turner 2004 by default).
// All energies are integers in dcal/mol; only the 37 C free energies are read (no enthalpies).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { UsageError } from "../../core/errors.js";

/** The value standing for a forbidden loop (ViennaRNA's INF). */
export const INF = 10_000_000;

/** Largest interior-loop and bulge size the folding recursions consider. */
export const MAXLOOP = 30;

/** Extrapolation coefficient for loops longer than 30 nt: lxc * ln(n / 30), in dcal/mol. */
export const LXC = 107.856;

/**
 * Energy tables indexed like ViennaRNA's: pair types 1..7 (CG GC GU UG AU UA NN), bases 0..4
 * (N A C G U). Multi-dimensional tables are flat, row-major, with the shapes in the comments.
 */
export interface EnergyParams {
  stack: Int32Array; // [8][8]
  mismatchHairpin: Int32Array; // [8][5][5]
  mismatchInterior: Int32Array; // [8][5][5]
  mismatchInterior1n: Int32Array; // [8][5][5]
  mismatchInterior23: Int32Array; // [8][5][5]
  mismatchMulti: Int32Array; // [8][5][5]
  mismatchExterior: Int32Array; // [8][5][5]
  dangle5: Int32Array; // [8][5]
  dangle3: Int32Array; // [8][5]
  int11: Int32Array; // [8][8][5][5]
  int21: Int32Array; // [8][8][5][5][5]
  int22: Int32Array; // [8][8][5][5][5][5]
  hairpin: Int32Array; // [31]
  bulge: Int32Array; // [31]
  interior: Int32Array; // [31]
  mlBase: number;
  mlClosing: number;
  mlIntern: number;
  ninio: number;
  maxNinio: number;
  terminalAU: number;
  /** Special hairpins (closing pair included) and their total loop energies. */
  triloops: Map<string, number>;
  tetraloops: Map<string, number>;
  hexaloops: Map<string, number>;
}

/** Splits the file into sections: name -> the text lines after `# name`, comments removed. */
function sections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | null = null;
  const clean = text.replace(/\/\*[\s\S]*?\*\//g, " ");
  for (const raw of clean.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("##")) continue;
    if (line.startsWith("#")) {
      const name = line.slice(1).trim();
      current = [];
      out.set(name, current);
      continue;
    }
    if (current && line.length > 0) current.push(line);
  }
  return out;
}

function numbers(lines: string[], section: string): number[] {
  const values: number[] = [];
  for (const line of lines) {
    for (const token of line.split(/\s+/)) {
      if (token === "INF") values.push(INF);
      else {
        const v = Number(token);
        if (!Number.isFinite(v)) {
          throw new UsageError(`parameter file: bad number '${token}' in section '${section}'`);
        }
        values.push(v);
      }
    }
  }
  return values;
}

/**
 * Reads a table into a flat array with dimensions `size`; the file stores the index ranges
 * `ranges` ([first, last] per dimension, inclusive), row-major.
 */
function table(
  all: Map<string, string[]>,
  name: string,
  size: number[],
  ranges: [number, number][],
): Int32Array {
  const lines = all.get(name);
  if (!lines) throw new UsageError(`parameter file: missing section '# ${name}'`);
  const values = numbers(lines, name);
  const expected = ranges.reduce((acc, [lo, hi]) => acc * (hi - lo + 1), 1);
  if (values.length !== expected) {
    throw new UsageError(
      `parameter file: section '${name}' has ${values.length} values, expected ${expected}`,
    );
  }
  const out = new Int32Array(size.reduce((a, b) => a * b, 1)).fill(INF);
  const index = ranges.map(([lo]) => lo);
  for (let k = 0; k < values.length; k++) {
    let flat = 0;
    for (let d = 0; d < size.length; d++) flat = flat * size[d] + index[d];
    out[flat] = values[k];
    for (let d = index.length - 1; d >= 0; d--) {
      if (index[d] < ranges[d][1]) {
        index[d]++;
        break;
      }
      index[d] = ranges[d][0];
    }
  }
  return out;
}

function specialLoops(all: Map<string, string[]>, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of all.get(name) ?? []) {
    const [seq, energy] = line.split(/\s+/);
    out.set(seq.toUpperCase(), Number(energy));
  }
  return out;
}

function scalars(all: Map<string, string[]>, name: string, count: number): number[] {
  const lines = all.get(name);
  if (!lines) throw new UsageError(`parameter file: missing section '# ${name}'`);
  const values = numbers(lines, name);
  if (values.length < count) {
    throw new UsageError(`parameter file: section '${name}' needs ${count} values`);
  }
  return values;
}

/** Parses the text of a ViennaRNA v2.0 parameter file. */
export function parseParams(text: string): EnergyParams {
  if (!text.startsWith("## RNAfold parameter file v2.0")) {
    throw new UsageError("parameter file must start with '## RNAfold parameter file v2.0'");
  }
  const all = sections(text);
  const pair: [number, number] = [1, 7];
  const base: [number, number] = [0, 4];
  const acgu: [number, number] = [1, 4];
  const mismatch = (name: string) => table(all, name, [8, 5, 5], [pair, base, base]);
  const loops = (name: string) => table(all, name, [31], [[0, 30]]);
  const ml = scalars(all, "ML_params", 6);
  const ninio = scalars(all, "NINIO", 3);
  const misc = scalars(all, "Misc", 3);
  return {
    stack: table(all, "stack", [8, 8], [pair, pair]),
    mismatchHairpin: mismatch("mismatch_hairpin"),
    mismatchInterior: mismatch("mismatch_interior"),
    mismatchInterior1n: mismatch("mismatch_interior_1n"),
    mismatchInterior23: mismatch("mismatch_interior_23"),
    mismatchMulti: mismatch("mismatch_multi"),
    mismatchExterior: mismatch("mismatch_exterior"),
    dangle5: table(all, "dangle5", [8, 5], [pair, base]),
    dangle3: table(all, "dangle3", [8, 5], [pair, base]),
    int11: table(all, "int11", [8, 8, 5, 5], [pair, pair, base, base]),
    int21: table(all, "int21", [8, 8, 5, 5, 5], [pair, pair, base, base, base]),
    int22: table(all, "int22", [8, 8, 5, 5, 5, 5], [[1, 6], [1, 6], acgu, acgu, acgu, acgu]),
    hairpin: loops("hairpin"),
    bulge: loops("bulge"),
    interior: loops("interior"),
    mlBase: ml[0],
    mlClosing: ml[2],
    mlIntern: ml[4],
    ninio: ninio[0],
    maxNinio: ninio[2],
    terminalAU: misc[2],
    triloops: specialLoops(all, "Triloops"),
    tetraloops: specialLoops(all, "Tetraloops"),
    hexaloops: specialLoops(all, "Hexaloops"),
  };
}

/** Path of the Turner 2004 parameter file shipped in data/rna/. */
export const DEFAULT_PARAMS_PATH = fileURLToPath(
  new URL("../../../data/rna/rna_turner2004.par", import.meta.url),
);

let cached: EnergyParams | null = null;

/** The Turner 2004 parameters (ViennaRNA's default model), read once. */
export function turner2004(): EnergyParams {
  if (!cached) cached = parseParams(readFileSync(DEFAULT_PARAMS_PATH, "utf8"));
  return cached;
}
