// The neural tangent kernel of a two-layer ReLU network with a trained first
// layer, K(u, v) = <u, v> (pi - arccos <u, v>) / (2 pi) on the unit sphere, its
// Gram matrices, and the empirical kernel of a finite network at initialisation.
// "Gradient Descent Finds Over-Parameterized Neural Networks with Sharp
// Generalization for Nonparametric Regression", section 2 (the NTK of the model).

/** Points on the sphere S^{d-1}: `count` rows of `dim` numbers, row-major. */
export interface Points {
  count: number;
  dim: number;
  data: Float64Array;
}

/** The closed-form NTK as a function of the inner product t = <u, v> in [-1, 1]. */
export function ntkOfInner(t: number): number {
  const c = Math.min(1, Math.max(-1, t));
  return (c * (Math.PI - Math.acos(c))) / (2 * Math.PI);
}

/** The n_a x n_b matrix K(a_i, b_j) of the closed-form NTK, row-major. */
export function gram(a: Points, b: Points): Float64Array {
  if (a.dim !== b.dim) throw new Error(`dimensions differ: ${a.dim} and ${b.dim}`);
  const d = a.dim;
  const out = new Float64Array(a.count * b.count);
  for (let i = 0; i < a.count; i++) {
    const ai = i * d;
    const row = i * b.count;
    for (let j = 0; j < b.count; j++) {
      const bj = j * d;
      let t = 0;
      for (let k = 0; k < d; k++) t += a.data[ai + k] * b.data[bj + k];
      out[row + j] = ntkOfInner(t);
    }
  }
  return out;
}

/**
 * The empirical NTK of f(W, x) = m^{-1/2} sum_r a_r relu(w_r . x) with respect
 * to the first layer, at weights `weights` (m x d):
 * K_m(u, v) = <u, v> (1/m) #{r : w_r . u > 0 and w_r . v > 0}. The signs a_r
 * drop out because a_r^2 = 1.
 */
export function empiricalGram(
  a: Points,
  b: Points,
  weights: Float64Array,
  width: number,
): Float64Array {
  const d = a.dim;
  const activeA = activations(a, weights, width);
  const activeB = activations(b, weights, width);
  const words = Math.ceil(width / 32);
  const out = new Float64Array(a.count * b.count);
  for (let i = 0; i < a.count; i++) {
    for (let j = 0; j < b.count; j++) {
      let both = 0;
      for (let w = 0; w < words; w++)
        both += popcount(activeA[i * words + w] & activeB[j * words + w]);
      let t = 0;
      for (let k = 0; k < d; k++) t += a.data[i * d + k] * b.data[j * d + k];
      out[i * b.count + j] = (t * both) / width;
    }
  }
  return out;
}

// Bit masks of the active units (w_r . x > 0) per point, 32 units a word.
function activations(points: Points, weights: Float64Array, width: number): Int32Array {
  const d = points.dim;
  const words = Math.ceil(width / 32);
  const out = new Int32Array(points.count * words);
  for (let i = 0; i < points.count; i++) {
    for (let r = 0; r < width; r++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += weights[r * d + k] * points.data[i * d + k];
      if (s > 0) out[i * words + (r >>> 5)] |= 1 << (r & 31);
    }
  }
  return out;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** The largest |A_ij - B_ij| of two matrices of the same size. */
export function supDistance(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
