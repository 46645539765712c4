// Curvature of a loss: Hessian-vector products by forward-over-reverse
// differentiation, the top eigenvalue by power iteration, and the top-k by
// Lanczos with full reorthogonalisation.
import type { JsTree } from "@jax-js/jax";
import { type Array, type DType, grad, jvp, np, tree } from "./engine.js";
import { dot, norm, symmetricEigen } from "./linalg.js";
import type { Rng } from "./rng.js";

type Params = JsTree<Array>;

/** How a parameter tree maps to and from one flat float64 vector. */
export interface Flattener {
  size: number;
  /** Copies a tree out as one vector (consuming the tree). */
  toVector(params: Params): Float64Array;
  fromVector(vector: Float64Array): Params;
}

/** Builds a flattener for trees shaped like `params` (params are only read). */
export function flattener(params: Params): Flattener {
  const [leaves, def] = tree.flatten(params) as [Array[], never];
  const shapes = leaves.map((leaf) => leaf.shape);
  const dtypes: DType[] = leaves.map((leaf) => leaf.dtype);
  const sizes = shapes.map((shape) => shape.reduce((a, b) => a * b, 1));
  const size = sizes.reduce((a, b) => a + b, 0);
  return {
    size,
    toVector(p) {
      const out = new Float64Array(size);
      let offset = 0;
      for (const leaf of tree.leaves(p) as Array[]) {
        const data = leaf.dataSync();
        out.set(data as ArrayLike<number>, offset);
        offset += data.length;
      }
      return out;
    },
    fromVector(vector) {
      let offset = 0;
      const arrays = sizes.map((n, i) => {
        const slice = vector.subarray(offset, offset + n);
        offset += n;
        const data = dtypes[i] === np.float64 ? Float64Array.from(slice) : Float32Array.from(slice);
        return np.array(data, { dtype: dtypes[i] }).reshape(shapes[i]);
      });
      return tree.unflatten(def, arrays) as Params;
    },
  };
}

/** H v for the loss at params, by jvp of grad (forward-over-reverse). Consumes params and v. */
export function hvp(loss: (params: Params) => Array, params: Params, v: Params): Params {
  const [gradient, tangent] = jvp(grad(loss), [params], [v]) as [Params, Params];
  tree.dispose(gradient);
  return tangent;
}

/** A symmetric linear operator on flat float64 vectors. */
export type Operator = (v: Float64Array) => Float64Array;

/**
 * The Hessian of `loss` at `params` as an operator on flat vectors; `params` is
 * only read.
 *
 * Limitation: the HVP runs eagerly. In @jax-js/jax 0.1.25, jit of jvp-of-grad
 * through a matmul returned wrong values
 * sibling experiment), and jit turns float64 scalar constants into float32
 * literals, so compiling would cost correctness; eager HVPs are slower.
 */
export function hessianOperator(
  loss: (params: Params) => Array,
  params: Params,
): { operator: Operator; size: number } {
  const flat = flattener(params);
  return {
    size: flat.size,
    operator(v) {
      const out = hvp(loss, tree.ref(params), flat.fromVector(v));
      return flat.toVector(out);
    },
  };
}

export interface PowerResult {
  value: number;
  vector: Float64Array;
  iterations: number;
  converged: boolean;
}

/**
 * The eigenvalue of largest magnitude of a symmetric operator by power
 * iteration (Rayleigh quotient), warm-started from `init` when given.
 */
export function powerIteration(
  operator: Operator,
  size: number,
  options: { iterations?: number; tolerance?: number; init?: Float64Array; rng?: Rng } = {},
): PowerResult {
  const maxIterations = options.iterations ?? 100;
  const tolerance = options.tolerance ?? 1e-6;
  let v = options.init ? Float64Array.from(options.init) : randomVector(size, options.rng);
  scale(v, 1 / norm(v));
  let value = 0;
  for (let k = 1; k <= maxIterations; k++) {
    const w = operator(v);
    const next = dot(v, w);
    const wNorm = norm(w);
    if (wNorm === 0) return { value: 0, vector: v, iterations: k, converged: true };
    v = scale(w, 1 / wNorm);
    if (k > 1 && Math.abs(next - value) <= tolerance * Math.abs(next)) {
      return { value: next, vector: v, iterations: k, converged: true };
    }
    value = next;
  }
  return { value, vector: v, iterations: maxIterations, converged: false };
}

/** A Lanczos run: its orthonormal Krylov basis and the eigen-decomposition of its tridiagonal matrix. */
export interface LanczosDecomposition {
  basis: Float64Array[];
  /** Eigenvalues of the tridiagonal matrix (Ritz values), ascending. */
  values: Float64Array;
  /** Row k holds the eigenvector of values[k] in the basis coordinates (length basis.length). */
  vectors: Float64Array;
}

/**
 * `steps` Lanczos iterations with full reorthogonalisation from the unit
 * vector along `start`, stopping early when the Krylov space is exhausted.
 */
export function lanczosDecomposition(
  operator: Operator,
  size: number,
  steps: number,
  start: Float64Array,
  breakdown = 1e-12,
): LanczosDecomposition {
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let q = scale(Float64Array.from(start), 1 / norm(start));
  for (let j = 0; j < Math.min(steps, size); j++) {
    basis.push(q);
    const w = operator(q);
    alpha.push(dot(q, w));
    // full reorthogonalisation, twice for stability
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        const c = dot(b, w);
        for (let i = 0; i < size; i++) w[i] -= c * b[i];
      }
    }
    const b = norm(w);
    if (j === steps - 1 || b < breakdown) break;
    beta.push(b);
    q = scale(w, 1 / b);
  }
  const m = alpha.length;
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    t[i * m + i] = alpha[i];
    if (i + 1 < m) {
      t[i * m + i + 1] = beta[i];
      t[(i + 1) * m + i] = beta[i];
    }
  }
  const { values, vectors } = symmetricEigen(t, m);
  return { basis, values, vectors };
}

/**
 * The k algebraically largest eigenvalues of a symmetric operator by Lanczos
 * with full reorthogonalisation over `steps` iterations (steps >= k).
 */
export function lanczos(
  operator: Operator,
  size: number,
  k: number,
  options: { steps?: number; rng?: Rng } = {},
): { values: Float64Array; vectors: Float64Array[] } {
  const steps = Math.min(size, Math.max(k, options.steps ?? Math.max(2 * k + 10, 20)));
  const { basis, values, vectors } = lanczosDecomposition(
    operator,
    size,
    steps,
    randomVector(size, options.rng),
  );
  const m = basis.length;
  const count = Math.min(k, m);
  const topValues = new Float64Array(count);
  const topVectors: Float64Array[] = [];
  for (let r = 0; r < count; r++) {
    const row = m - 1 - r;
    topValues[r] = values[row];
    const ritz = new Float64Array(size);
    for (let j = 0; j < m; j++) {
      const coef = vectors[row * m + j];
      for (let i = 0; i < size; i++) ritz[i] += coef * basis[j][i];
    }
    topVectors.push(ritz);
  }
  return { values: topValues, vectors: topVectors };
}

function randomVector(size: number, rng?: Rng): Float64Array {
  const v = new Float64Array(size);
  for (let i = 0; i < size; i++)
    v[i] = rng ? rng.normal() : (Math.sin(12.9898 * (i + 1)) * 43758.5453) % 1;
  return v;
}

function scale(v: Float64Array, factor: number): Float64Array {
  for (let i = 0; i < v.length; i++) v[i] *= factor;
  return v;
}
