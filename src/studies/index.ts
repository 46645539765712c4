// The registry of studies, in the order the tour runs them.
import type { Study } from "../core/study.js";

export const studies: Study[] = [];

export function findStudy(name: string): Study | undefined {
  return studies.find((study) => study.name === name);
}
