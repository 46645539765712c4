// Gradient transformations in the style of optax: a transformation is
// `{ init(params) -> state, update(grads, state, params) -> [updates, state] }`,
// and `chain` composes them. Parameters, gradients and updates are jax-js trees.
//
// Ownership: `init` only reads `params` (it is not consumed). `update` consumes
// `grads` and `state`, and only reads `params`. `applyUpdates` consumes both.
import type { JsTree } from "@jax-js/jax";
import { type Array, np, tree } from "../engine.js";
import { type LearningRate, rateAt } from "./schedules.js";

export type Params = JsTree<Array>;

export interface GradientTransformation<S = any> {
  init(params: Params): S;
  update(grads: Params, state: S, params?: Params): [Params, S];
}

function zerosLike(params: Params): Params {
  return tree.map((p: Array) => np.zeros(p.shape, { dtype: p.dtype }), params);
}

/** Composes transformations, applied left to right. */
export function chain(...transforms: GradientTransformation[]): GradientTransformation<unknown[]> {
  return {
    init: (params) => transforms.map((t) => t.init(params)),
    update(grads, states, params) {
      const next: unknown[] = [];
      let updates = grads;
      transforms.forEach((t, i) => {
        const [u, s] = t.update(updates, states[i], params);
        updates = u;
        next.push(s);
      });
      return [updates, next];
    },
  };
}

/** Multiplies updates by -learningRate(step): the descent direction. */
export function scaleByLearningRate(
  learningRate: LearningRate,
): GradientTransformation<{ count: number }> {
  return {
    init: () => ({ count: 0 }),
    update(grads, state) {
      const scale = -rateAt(learningRate, state.count);
      return [tree.map((g: Array) => g.mul(scale), grads), { count: state.count + 1 }];
    },
  };
}

/** Heavy-ball momentum trace: t = g + beta t; Nesterov returns g + beta t. */
export function traceMomentum(
  beta: number,
  nesterov = false,
): GradientTransformation<{ trace: Params }> {
  return {
    init: (params) => ({ trace: zerosLike(params) }),
    update(grads, state) {
      const trace = tree.map((g: Array, t: Array) => g.ref.add(t.mul(beta)), grads, state.trace);
      if (!nesterov) {
        tree.dispose(grads);
        return [tree.ref(trace), { trace }];
      }
      const updates = tree.map((g: Array, t: Array) => g.add(t.ref.mul(beta)), grads, trace);
      return [updates, { trace }];
    },
  };
}

export interface AdamState {
  count: number;
  mu: Params;
  nu: Params;
}

/** Adam's rescaling (Kingma and Ba, 2015): bias-corrected m / (sqrt(v) + eps). */
export function scaleByAdam(b1 = 0.9, b2 = 0.999, eps = 1e-8): GradientTransformation<AdamState> {
  return {
    init: (params) => ({ count: 0, mu: zerosLike(params), nu: zerosLike(params) }),
    update(grads, state) {
      const count = state.count + 1;
      // first and second moments
      const mu = tree.map(
        (g: Array, m: Array) => m.mul(b1).add(g.ref.mul(1 - b1)),
        grads,
        state.mu,
      );
      const nu = tree.map(
        (g: Array, v: Array) => v.mul(b2).add(g.ref.mul(g).mul(1 - b2)),
        grads,
        state.nu,
      );
      const c1 = 1 - b1 ** count;
      const c2 = 1 - b2 ** count;
      const updates = tree.map(
        (m: Array, v: Array) => m.ref.div(c1).div(np.sqrt(v.ref.div(c2)).add(eps)),
        mu,
        nu,
      );
      return [updates, { count, mu, nu }];
    },
  };
}

/** RMSProp's rescaling: v = decay v + (1 - decay) g^2, update g / (sqrt(v) + eps). */
export function scaleByRms(decay = 0.9, eps = 1e-8): GradientTransformation<{ nu: Params }> {
  return {
    init: (params) => ({ nu: zerosLike(params) }),
    update(grads, state) {
      const nu = tree.map(
        (g: Array, v: Array) => v.mul(decay).add(g.ref.mul(g.ref).mul(1 - decay)),
        grads,
        state.nu,
      );
      const updates = tree.map((g: Array, v: Array) => g.div(np.sqrt(v.ref).add(eps)), grads, nu);
      return [updates, { nu }];
    },
  };
}

/** Adagrad's rescaling: s += g^2, update g / sqrt(s + eps). */
export function scaleByAdagrad(
  initialAccumulator = 0.1,
  eps = 1e-7,
): GradientTransformation<{ sum: Params }> {
  return {
    init: (params) => ({
      sum: tree.map((p: Array) => np.full(p.shape, initialAccumulator, { dtype: p.dtype }), params),
    }),
    update(grads, state) {
      const sum = tree.map((g: Array, s: Array) => s.add(g.ref.mul(g.ref)), grads, state.sum);
      const updates = tree.map((g: Array, s: Array) => g.div(np.sqrt(s.ref.add(eps))), grads, sum);
      return [updates, { sum }];
    },
  };
}

/** Adds weightDecay * params to the updates (decoupled weight decay). */
export function addDecayedWeights(weightDecay: number): GradientTransformation<null> {
  return {
    init: () => null,
    update(grads, state, params) {
      if (params === undefined) throw new Error("addDecayedWeights needs params in update()");
      return [
        tree.map((g: Array, p: Array) => g.add(p.ref.mul(weightDecay)), grads, params),
        state,
      ];
    },
  };
}

/** Rescales the updates so their global L2 norm is at most maxNorm. */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<null> {
  return {
    init: () => null,
    update(grads, state) {
      const leaves = tree.leaves(grads) as Array[];
      let squared: Array | null = null;
      for (const leaf of leaves) {
        const s = leaf.ref.mul(leaf.ref).sum();
        squared = squared === null ? s : squared.add(s);
      }
      if (squared === null) return [grads, state];
      // factor = maxNorm / max(norm, maxNorm), computed without leaving the engine
      const factor = np.reciprocal(np.maximum(np.sqrt(squared), maxNorm)).mul(maxNorm);
      const clipped = tree.map((g: Array) => g.mul(factor.ref.astype(g.dtype)), grads);
      factor.dispose();
      return [clipped, state];
    },
  };
}

/** params + updates, consuming both. */
export function applyUpdates(params: Params, updates: Params): Params {
  return tree.map((p: Array, u: Array) => p.add(u), params, updates);
}

/** Disposes every array held in an optimiser state. */
export function disposeState(state: unknown): void {
  if (state === null || typeof state !== "object") return;
  if (Array.isArray(state)) {
    for (const item of state) disposeState(item);
    return;
  }
  if (typeof (state as { dispose?: unknown }).dispose === "function") {
    (state as Array).dispose();
    return;
  }
  for (const value of Object.values(state)) disposeState(value);
}
