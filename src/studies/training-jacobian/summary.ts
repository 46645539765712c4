// The summary a training-Jacobian run returns (summary.json and --json).
import type { SpectrumSummary, Thresholds } from "./analysis.js";

export interface Summary {
  /** Region counts of the main run's spectrum, with the thresholds used. */
  spectrum: {
    chaotic: number;
    bulk: number;
    stable: number;
    bulkTight: number;
    thresholds: Thresholds;
    min: number;
    max: number;
  };
  /** Mean |<u_i, v_i>| over the bulk band. */
  alignmentBulkMean: number;
  /** Median max-over-examples KL after adding a unit u_i to theta_T (test / noise inputs). */
  perturbation: {
    region: "chaotic" | "bulk" | "stable";
    inDistChange: number;
    outOfDistChange: number;
    train: number;
    inverted: number;
    directions: number;
  }[];
  /** Mean squared principal-angle cosine between bulk subspaces of two seeds, and for random ones. */
  seedOverlap: {
    observed: number;
    randomBaseline: number;
    expectedRandom: number;
    pairs: { seed: number; dimensions: number[]; observed: number; randomBaseline: number }[];
  };
  parameters: number;
  width: number;
  steps: number;
  trainAccuracy: number;
  testAccuracy: number;
  alignmentTightBulkMean: number;
  alignmentStableMean: number;
  variants: { name: string; spectrum: SpectrumSummary; trainAccuracy: number }[];
  trainingLength: { epochs: number; spectrum: SpectrumSummary }[];
  spanTraining: {
    subspace: string;
    directions: number;
    trainAccuracy: number;
    testAccuracy: number;
  }[];
  /** Lanczos on J^T J through JVPs and VJPs only, beside the dense values. */
  matrixFree: {
    steps: number;
    top: number[];
    denseTop: number[];
    smallest: number;
    denseSmallest: number;
    /** The band [low, high] around one, and the fraction of singular values in it. */
    band: number[];
    bulkFraction: number;
    denseBulkFraction: number;
  } | null;
  precision: { finiteDifferenceRelativeError: number | null; jvpAgainstSvdMaxError: number };
  reference: (SpectrumSummary & { parameters: number }) | null;
  seconds: { jacobian: number; total: number };
  workers: string;
}
