// The unlearning audit's settings, with defaults for every field.
import { z } from "zod";
import { METHODS } from "./unlearn.js";

export const configSchema = z
  .object({
    /** Independent repetitions (splits, canaries, models), seeds seed, seed+1, ... */
    seeds: z.number().int().min(1).max(20).default(3),
    /** Messages per canary set (the paper uses 100). */
    canarySize: z.number().int().min(5).max(500).default(50),
    /** Messages in each of the train, retain and test splits. */
    splitSize: z.number().int().min(20).max(1800).default(300),
    /** Bytes per document (each message is cut to this length). */
    /** Below 32 bytes too few documents keep a whole e-mail address to draw canaries from. */
    seqLen: z.number().int().min(32).max(256).default(64),
    width: z.number().int().min(8).max(512).default(256),
    layers: z.number().int().min(1).max(8).default(4),
    heads: z.number().int().min(1).max(16).default(4),
    trainSteps: z.number().int().min(1).max(100000).default(300),
    batchSize: z.number().int().min(1).max(512).default(16),
    learningRate: z.number().positive().max(1).default(1e-3),
    weightDecay: z.number().min(0).max(1).default(0.01),
    /** Unlearning methods to run. */
    methods: z
      .array(z.enum(METHODS as [string, ...string[]]))
      .min(1)
      .default([...METHODS]),
    /** Step budget of every unlearning method. */
    unlearnSteps: z.number().int().min(1).max(10000).default(8),
    /** 1e-4: at 1e-3 one ascent step on the full model overshot the stop target fivefold. */
    unlearnLr: z.number().positive().max(1).default(1e-4),
    /** Retain rows per unlearning step. */
    unlearnBatch: z.number().int().min(1).max(512).default(16),
    /** Blocks trained by EUk and CFk (the last k). */
    k: z.number().int().min(1).max(8).default(1),
    npoBeta: z.number().positive().default(0.1),
    /** Min-K%: fraction of lowest-probability tokens averaged. */
    minKFraction: z.number().gt(0).max(1).default(0.2),
    /** False-positive rate at which TPR is reported. */
    fprLevel: z.number().gt(0).lt(1).default(0.05),
    /** Worker threads for the models and unlearning runs (0: this thread); results do not depend on it. */
    workers: z.number().int().min(0).max(64).default(0),
  })
  .refine((c) => c.width % c.heads === 0, {
    message: "width must be a multiple of heads (for example width=64 heads=4)",
  })
  .superRefine((c, ctx) => {
    if (c.k > c.layers) {
      ctx.addIssue({
        code: "custom",
        message: `k (${c.k}) must be at most layers (${c.layers}): lower k or add layers`,
      });
    }
  });

export type Config = z.infer<typeof configSchema>;
