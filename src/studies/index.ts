// The registry of studies, in the order the tour runs them.
import type { Study } from "../core/study.js";
import { study as continualCounting } from "./continual-counting/index.js";
import { study as eos } from "./eos/index.js";
import { study as fedsl } from "./fedsl/index.js";
import { study as localGd } from "./local-gd/index.js";
import { study as ntkRegression } from "./ntk-regression/index.js";
import { study as omnisr } from "./omnisr/index.js";
import { study as ouAdaptation } from "./ou-adaptation/index.js";
import { study as rnaDesign } from "./rna/index.js";
import { study as trainingJacobian } from "./training-jacobian/index.js";
import { study as unlearning } from "./unlearning/index.js";

export const studies: Study[] = [
  eos,
  rnaDesign,
  continualCounting,
  localGd,
  fedsl,
  trainingJacobian,
  ntkRegression,
  ouAdaptation,
  unlearning,
  omnisr,
];

export function findStudy(name: string): Study | undefined {
  return studies.find((study) => study.name === name);
}
