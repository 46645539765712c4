// Ready-made optimisers built from gradient transformations.
import type { LearningRate } from "./schedules.js";
import {
  addDecayedWeights,
  chain,
  type GradientTransformation,
  scaleByAdagrad,
  scaleByAdam,
  scaleByLearningRate,
  scaleByRms,
  traceMomentum,
} from "./transform.js";

/** Plain (stochastic) gradient descent: params -= lr * g. */
export function sgd(learningRate: LearningRate): GradientTransformation {
  return scaleByLearningRate(learningRate);
}

/** Heavy-ball momentum: t = g + beta t; params -= lr * t. */
export function momentum(learningRate: LearningRate, beta = 0.9): GradientTransformation {
  return chain(traceMomentum(beta, false), scaleByLearningRate(learningRate));
}

/** Nesterov momentum: t = g + beta t; params -= lr * (g + beta t). */
export function nesterov(learningRate: LearningRate, beta = 0.9): GradientTransformation {
  return chain(traceMomentum(beta, true), scaleByLearningRate(learningRate));
}

export interface AdamOptions {
  learningRate: LearningRate;
  b1?: number;
  b2?: number;
  eps?: number;
}

/** Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015). */
export function adam(options: AdamOptions): GradientTransformation {
  return chain(
    scaleByAdam(options.b1, options.b2, options.eps),
    scaleByLearningRate(options.learningRate),
  );
}

/** AdamW (Loshchilov and Hutter, ICLR 2019): Adam with decoupled weight decay. */
export function adamw(options: AdamOptions & { weightDecay?: number }): GradientTransformation {
  return chain(
    scaleByAdam(options.b1, options.b2, options.eps),
    addDecayedWeights(options.weightDecay ?? 1e-4),
    scaleByLearningRate(options.learningRate),
  );
}

/** RMSProp (Tieleman and Hinton, 2012), optionally with heavy-ball momentum. */
export function rmsprop(options: {
  learningRate: LearningRate;
  decay?: number;
  eps?: number;
  momentum?: number;
}): GradientTransformation {
  const parts = [scaleByRms(options.decay, options.eps)];
  if (options.momentum) parts.push(traceMomentum(options.momentum) as never);
  return chain(...parts, scaleByLearningRate(options.learningRate));
}

/** Adagrad (Duchi, Hazan and Singer, JMLR 2011). */
export function adagrad(options: {
  learningRate: LearningRate;
  initialAccumulator?: number;
  eps?: number;
}): GradientTransformation {
  return chain(
    scaleByAdagrad(options.initialAccumulator, options.eps),
    scaleByLearningRate(options.learningRate),
  );
}
