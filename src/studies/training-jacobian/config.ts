// Settings of the training-Jacobian study, with the paper's values as defaults.
import { z } from "zod";

export const configSchema = z
  .object({
    /** Hidden units; P = 75 * width + 10. Above 64 the dense Jacobian (several P x P float64 matrices) outgrows memory. */
    width: z
      .number()
      .int()
      .min(1)
      .max(64, "width above 64 makes the dense P x P Jacobian too large for memory")
      .default(64),
    epochs: z.number().int().min(1).max(200).default(25),
    batchSize: z.number().int().min(1).max(1600).default(64),
    learningRate: z.number().positive().default(0.1),
    momentum: z.number().min(0).max(0.999).default(0.9),
    /** Training examples used (the first of the paper's 1,600). */
    trainSize: z.number().int().min(1).max(1600).default(1600),
    /** Initialisations whose bulk subspaces are compared (2 or 3 in the paper). */
    seeds: z.number().int().min(1).max(4).default(2),
    /** Jacobians of the first epochs of the same run (training-length study). */
    checkpointEpochs: z.array(z.number().int().min(1)).default([1, 5, 10]),
    /** Extra runs from the same init: labels permuted, inputs replaced by uniform noise. */
    shuffledLabels: z.boolean().default(true),
    noiseInputs: z.boolean().default(true),
    chaoticAbove: z.number().positive().default(1.1),
    stableBelow: z.number().positive().default(0.9),
    bulkWithin: z.number().positive().default(1e-2),
    bulkTightWithin: z.number().positive().default(1e-3),
    /** Singular directions sampled per region for the output-change study. */
    directionsPerRegion: z.number().int().min(1).default(16),
    perturbationScales: z.array(z.number().positive()).min(1).default([0.1, 0.3, 1, 3, 10]),
    /** Largest subspace used for training inside the span of singular directions. */
    spanDirections: z.number().int().min(1).default(400),
    /** Columns of J checked against finite differences of the whole run inside the run. */
    finiteDifferenceColumns: z.number().int().min(0).default(2),
    /** Lanczos steps on J^T J (each one JVP and one VJP through training); 0 skips. */
    lanczosSteps: z.number().int().min(0).default(30),
    /** Worker threads for the Jacobian columns (0 = this thread). */
    workers: z.number().int().min(0).max(64).default(0),
    /** Column chunks per Jacobian (progress granularity). */
    chunks: z.number().int().min(1).default(16),
  })
  .refine((c) => c.stableBelow < 1 && c.chaoticAbove > 1, {
    message: "stableBelow must be < 1 and chaoticAbove > 1",
  })
  .refine((c) => c.batchSize <= c.trainSize, {
    message: "batchSize must not exceed trainSize",
  });

export type Config = z.infer<typeof configSchema>;
