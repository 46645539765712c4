// The folding engine against ViennaRNA 2.6.4 (data/rna/vienna_reference*.jsonl, 100 records
// each, dangles 2 and 0) and against brute-force enumeration on short sequences.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { boltzmann, KT } from "./boltzmann.js";
import { evalStructure } from "./energy.js";
import { analyseTarget, defaultModel, ensembleDefect } from "./fold.js";
import { countMfeStructures, mfe } from "./mfe.js";
import { partition } from "./partition.js";
import { encodeSequence, PAIR_TYPE, parseStructure } from "./sequence.js";

interface Record {
  id: string;
  seq: string;
  mfe_structure: string;
  mfe: number;
  mfe_degeneracy: number;
  ensemble_energy: number;
  p_mfe: number;
  target: string;
  target_energy: number;
  p_target: number;
  ned_target: number;
  ned_mfe: number;
  target_is_mfe: boolean;
  target_is_umfe: boolean;
  bpp?: [number, number, number][];
}

function fixtures(name: string): Record[] {
  const path = fileURLToPath(new URL(`../../../data/rna/${name}`, import.meta.url));
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => JSON.parse(line));
}

const dcal = (kcal: number) => Math.round(kcal * 100);

// ViennaRNA evaluates a structure's energy as a C float before p = exp(-(E - G) / kT); the
// fixtures' probabilities carry that rounding (up to 2.5e-6 relative), so we apply it too.
const viennaProbability = (energy: number, ensemble: number) =>
  Math.exp(-(Math.fround(energy) - ensemble) / KT);

for (const [file, dangles] of [
  ["vienna_reference.jsonl", 2],
  ["vienna_reference_d0.jsonl", 0],
] as const) {
  describe(`ViennaRNA 2.6.4 fixtures, dangles ${dangles}`, () => {
    const model = defaultModel(dangles);
    const records = fixtures(file);

    test("100 records present", () => assert.equal(records.length, 100));

    test("eval: target and MFE structure energies exact (dcal/mol)", () => {
      for (const r of records) {
        const S = encodeSequence(r.seq);
        assert.equal(
          evalStructure(model, S, parseStructure(r.target)),
          dcal(r.target_energy),
          r.id,
        );
        assert.equal(evalStructure(model, S, parseStructure(r.mfe_structure)), dcal(r.mfe), r.id);
      }
    });

    test("MFE: energy exact, structure equal when unique, degeneracy counted", () => {
      for (const r of records) {
        const S = encodeSequence(r.seq);
        const folded = mfe(model, S);
        assert.equal(folded.energy, dcal(r.mfe), r.id);
        assert.equal(evalStructure(model, S, folded.pt), folded.energy, r.id);
        if (r.mfe_degeneracy === 1) assert.equal(folded.structure, r.mfe_structure, r.id);
        assert.equal(countMfeStructures(model, S, folded.tables), r.mfe_degeneracy, r.id);
      }
    });

    test("partition function: G within 1e-4, p and NED within 1e-6 relative, bpp within 1e-6", () => {
      for (const r of records) {
        const S = encodeSequence(r.seq);
        const n = S.length;
        const pf = partition(model, S);
        assert.ok(Math.abs(pf.ensembleEnergy - r.ensemble_energy) < 1e-4, r.id);
        const pTarget = viennaProbability(r.target_energy, pf.ensembleEnergy);
        assert.ok(Math.abs(pTarget - r.p_target) <= 1e-6 * r.p_target, `${r.id} p_target`);
        const pMfe = viennaProbability(r.mfe, pf.ensembleEnergy);
        assert.ok(Math.abs(pMfe - r.p_mfe) <= 1e-6 * r.p_mfe, `${r.id} p_mfe`);
        const ned = ensembleDefect(pf.bpp, parseStructure(r.target));
        assert.ok(Math.abs(ned - r.ned_target) <= 1e-6 * r.ned_target, `${r.id} ned`);
        const nedMfe = ensembleDefect(pf.bpp, parseStructure(r.mfe_structure));
        assert.ok(Math.abs(nedMfe - r.ned_mfe) <= 1e-6 * r.ned_mfe + 1e-12, `${r.id} ned mfe`);
        const listed = new Set<number>();
        for (const [i, j, p] of r.bpp ?? []) {
          listed.add((i - 1) * n + j - 1);
          assert.ok(Math.abs(pf.bpp[(i - 1) * n + j - 1] - p) <= 1e-6, `${r.id} bpp ${i},${j}`);
        }
        if (r.bpp) {
          // pairs absent from the list had p < 1e-6 in ViennaRNA
          for (let k = 0; k < n * n; k++) if (!listed.has(k)) assert.ok(pf.bpp[k] < 2e-6, r.id);
        }
      }
    });

    test("target is MFE / unique MFE as ViennaRNA says", () => {
      for (const r of records.slice(0, 40)) {
        const report = analyseTarget(model, encodeSequence(r.seq), parseStructure(r.target));
        assert.equal(report.isMfe, r.target_is_mfe, r.id);
        assert.equal(report.isUniqueMfe, r.target_is_umfe, r.id);
      }
    });
  });
}

/** All secondary structures of S (hairpins >= 3) by recursion: only for short sequences. */
function* structures(S: Uint8Array, i: number, j: number): Generator<string> {
  if (i > j) {
    yield "";
    return;
  }
  for (const rest of structures(S, i + 1, j)) yield `.${rest}`;
  for (let k = i + 4; k <= j; k++) {
    if (PAIR_TYPE[S[i] * 5 + S[k]] === 0) continue;
    for (const inner of structures(S, i + 1, k - 1)) {
      for (const rest of structures(S, k + 1, j)) yield `(${inner})${rest}`;
    }
  }
}

describe("brute force on short sequences (dangles 0: Z is exactly the sum over RNAeval)", () => {
  const model = defaultModel(0);
  for (const seq of ["GGGAAACCCAGCU", "GCGCUUCGGCAAUA", "ACGUACGUACGUAG"]) {
    test(seq, () => {
      const S = encodeSequence(seq);
      let z = 0;
      let best = Infinity;
      let ties = 0;
      for (const s of structures(S, 0, S.length - 1)) {
        const e = evalStructure(model, S, parseStructure(s));
        z += boltzmann(e);
        if (e < best) {
          best = e;
          ties = 1;
        } else if (e === best) ties++;
      }
      const pf = partition(model, S);
      assert.ok(Math.abs(pf.logZ - Math.log(z)) < 1e-12);
      const folded = mfe(model, S);
      assert.equal(folded.energy, best);
      assert.equal(countMfeStructures(model, S, folded.tables), ties);
    });
  }
});

test("scaling: ln Z and pair probabilities do not depend on the per-base scale", () => {
  const model = defaultModel(2);
  let x = 5;
  const seq = Array.from({ length: 240 }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return "GCGCAU"[x % 6];
  }).join("");
  const S = encodeSequence(seq);
  const runs = [-0.3, 0, -1.0].map((energyPerBase) => partition(model, S, { energyPerBase }));
  for (const r of runs.slice(1)) {
    assert.ok(Math.abs(r.logZ - runs[0].logZ) < 1e-9 * Math.abs(runs[0].logZ));
    let worst = 0;
    for (let k = 0; k < r.bpp.length; k++)
      worst = Math.max(worst, Math.abs(r.bpp[k] - runs[0].bpp[k]));
    assert.ok(worst < 1e-9, String(worst));
  }
  // each base pairs at most once: row sums of the pair probabilities stay within [0, 1]
  const n = S.length;
  for (let i = 0; i < n; i++) {
    let p = 0;
    for (let j = 0; j < n; j++) p += i < j ? runs[0].bpp[i * n + j] : runs[0].bpp[j * n + i];
    assert.ok(p >= 0 && p <= 1 + 1e-12);
  }
});

test("very stable sequences: the partition function rescales instead of overflowing", () => {
  const model = defaultModel(2);
  // 336 nt fits the default scale; the MFE-based scale must give the same ln Z and pair probabilities
  const S = encodeSequence("GGGGGGGGGGAAAACCCCCCCCCC".repeat(14));
  const plain = partition(model, S);
  const rescaled = partition(model, S, {
    energyPerBase: (1.07 * mfe(model, S).energy) / 100 / S.length,
  });
  assert.ok(
    Math.abs(plain.logZ - rescaled.logZ) < 1e-9 * Math.abs(plain.logZ),
    `${plain.logZ} vs ${rescaled.logZ}`,
  );
  let worst = 0;
  for (let k = 0; k < plain.bpp.length; k++)
    worst = Math.max(worst, Math.abs(plain.bpp[k] - rescaled.bpp[k]));
  assert.ok(worst < 1e-9, `pair probabilities differ by ${worst}`);
  // 480 nt overflows the default scale (ensemble energy about -590 kcal/mol); the result must stay finite
  const long = encodeSequence("GGGGGGGGGGAAAACCCCCCCCCC".repeat(20));
  const result = partition(model, long);
  const mfeEnergy = mfe(model, long).energy / 100;
  assert.ok(Number.isFinite(result.ensembleEnergy));
  assert.ok(
    result.ensembleEnergy <= mfeEnergy && result.ensembleEnergy > mfeEnergy - 5,
    `${result.ensembleEnergy} vs MFE ${mfeEnergy}`,
  );
});
