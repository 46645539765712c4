// What a biologist asks of a sequence and a target structure: the MFE, the ensemble, and how
// well the target is represented in it (probability, ensemble defect, energy gap, (u)MFE).
import { KT } from "./boltzmann.js";
import { evalStructure, type Model } from "./energy.js";
import { countMfeStructures, mfe } from "./mfe.js";
import { turner2004 } from "./params.js";
import { inside, partition } from "./partition.js";
import { checkCompatible } from "./sequence.js";

/** The default model: Turner 2004 with dangles 2, as RNAfold uses it. */
export function defaultModel(dangles: 0 | 2 = 2): Model {
  return { params: turner2004(), dangles };
}

/**
 * Normalised ensemble defect of a target (ViennaRNA's definition): the expected fraction of
 * positions whose pairing state differs from the target, from pair probabilities `bpp`.
 */
export function ensembleDefect(bpp: Float64Array, pt: Int32Array): number {
  const n = pt.length;
  const unpaired = new Float64Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const p = bpp[i * n + j];
      if (p === 0) continue;
      unpaired[i] -= p;
      unpaired[j] -= p;
    }
  }
  let defect = 0;
  for (let i = 0; i < n; i++) {
    const j = pt[i];
    const correct = j < 0 ? unpaired[i] : bpp[Math.min(i, j) * n + Math.max(i, j)];
    defect += 1 - correct;
  }
  return defect / n;
}

/** ln p(target | sequence) from the target's energy and ln Z (inside pass only). */
export function logProbability(model: Model, S: Uint8Array, pt: Int32Array): number {
  const energy = evalStructure(model, S, pt);
  return -energy / 100 / KT - inside(model, S).logZ;
}

export interface TargetReport {
  /** Free energy of the target (kcal/mol). */
  energy: number;
  /** MFE (kcal/mol) and one MFE structure. */
  mfe: number;
  mfeStructure: string;
  /** Ensemble free energy (kcal/mol). */
  ensembleEnergy: number;
  /** Boltzmann probability of the target and its natural log. */
  probability: number;
  logProbability: number;
  /** Normalised ensemble defect of the target. */
  ned: number;
  /** E(target) - MFE (kcal/mol); 0 when the target is an MFE structure. */
  energyGap: number;
  isMfe: boolean;
  /** The target is the only structure with the minimum energy. */
  isUniqueMfe: boolean;
}

/** Everything about a target structure for one sequence (MFE, partition function, bpp). */
export function analyseTarget(model: Model, S: Uint8Array, pt: Int32Array): TargetReport {
  checkCompatible(S, pt);
  const energy = evalStructure(model, S, pt);
  const folded = mfe(model, S);
  const isMfe = energy === folded.energy;
  const isUniqueMfe = isMfe && countMfeStructures(model, S, folded.tables) === 1;
  const pf = partition(model, S);
  const logP = -energy / 100 / KT - pf.logZ;
  return {
    energy: energy / 100,
    mfe: folded.energy / 100,
    mfeStructure: folded.structure,
    ensembleEnergy: pf.ensembleEnergy,
    probability: Math.min(1, Math.exp(logP)),
    logProbability: logP,
    ned: ensembleDefect(pf.bpp, pt),
    energyGap: (energy - folded.energy) / 100,
    isMfe,
    isUniqueMfe,
  };
}
