// Design objectives: the quantity a designed sequence is scored by (lower is better).
import { evalStructure, type Model } from "./energy.js";
import { ensembleDefect, logProbability } from "./fold.js";
import { mfe } from "./mfe.js";
import { partition } from "./partition.js";

/** prob: -ln p(target | x); ned: normalised ensemble defect; gap: E(target) - MFE (kcal/mol). */
export type Objective = "prob" | "ned" | "gap";

export const OBJECTIVES: Objective[] = ["prob", "ned", "gap"];

/** Scores sequence S (base codes) against target pair table pt, exactly. */
export function score(model: Model, S: Uint8Array, pt: Int32Array, objective: Objective): number {
  if (objective === "prob") return -logProbability(model, S, pt);
  if (objective === "ned") return ensembleDefect(partition(model, S).bpp, pt);
  return (evalStructure(model, S, pt) - mfe(model, S).energy) / 100;
}
