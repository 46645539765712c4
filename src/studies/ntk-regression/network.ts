// The two-layer ReLU network f(W, x) = m^{-1/2} sum_r a_r relu(w_r . x) with
// the output signs a_r in {+1, -1} fixed, symmetric initialisation (units in
// identical pairs with opposite signs, so f = 0 at the start) and full-batch
// GD on the first layer for the loss (1/2n) sum (f(x_i) - y_i)^2.
// Same paper, section 2. Plain float64 TypeScript: the engine's float64 matmul
// ran at 0.2-0.3 GFlop/s on these shapes, slower than these loops.
import type { Rng } from "../../core/rng.js";
import type { Points } from "./kernel.js";

export interface TwoLayerNet {
  width: number;
  dim: number;
  /** First-layer weights, width x dim, row-major. */
  weights: Float64Array;
  /** Output signs a_r. */
  signs: Float64Array;
}

/** Symmetric initialisation: w_r ~ N(0, kappa^2 I) for r < m/2, copied with the opposite sign. */
export function symmetricInit(rng: Rng, width: number, dim: number, kappa: number): TwoLayerNet {
  if (width < 2 || width % 2 !== 0) throw new Error(`width must be even and >= 2, got ${width}`);
  const half = width / 2;
  const weights = new Float64Array(width * dim);
  const signs = new Float64Array(width);
  const drawn = rng.normals(half * dim, kappa);
  weights.set(drawn, 0);
  weights.set(drawn, half * dim);
  signs.fill(1, 0, half);
  signs.fill(-1, half);
  return { width, dim, weights, signs };
}

/** The network's outputs at the points. */
export function forward(net: TwoLayerNet, points: Points): Float64Array {
  const { width, dim, weights, signs } = net;
  const scale = 1 / Math.sqrt(width);
  const out = new Float64Array(points.count);
  for (let i = 0; i < points.count; i++) {
    const x = points.data.subarray(i * dim, (i + 1) * dim);
    let s = 0;
    for (let r = 0; r < width; r++) {
      let pre = 0;
      for (let k = 0; k < dim; k++) pre += weights[r * dim + k] * x[k];
      if (pre > 0) s += signs[r] * pre;
    }
    out[i] = s * scale;
  }
  return out;
}

/** Reusable buffers for gdStep. */
export interface GdWorkspace {
  active: Uint8Array;
  outputs: Float64Array;
  gradient: Float64Array;
}

export function gdWorkspace(net: TwoLayerNet, count: number): GdWorkspace {
  return {
    active: new Uint8Array(count * net.width),
    outputs: new Float64Array(count),
    gradient: new Float64Array(net.width * net.dim),
  };
}

/**
 * One full-batch GD step W <- W - eta grad L(W), with
 * grad_{w_r} L = (1/n) sum_i (f(x_i) - y_i) (a_r / sqrt(m)) 1[w_r . x_i > 0] x_i.
 * Returns the training loss before the step.
 */
export function gdStep(
  net: TwoLayerNet,
  points: Points,
  labels: Float64Array,
  eta: number,
  work: GdWorkspace = gdWorkspace(net, points.count),
): number {
  const { width, dim, weights, signs } = net;
  const n = points.count;
  const scale = 1 / Math.sqrt(width);
  const { active, outputs, gradient } = work;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const x = points.data.subarray(i * dim, (i + 1) * dim);
    let s = 0;
    const row = i * width;
    for (let r = 0; r < width; r++) {
      let pre = 0;
      for (let k = 0; k < dim; k++) pre += weights[r * dim + k] * x[k];
      if (pre > 0) {
        s += signs[r] * pre;
        active[row + r] = 1;
      } else active[row + r] = 0;
    }
    outputs[i] = s * scale;
    loss += (outputs[i] - labels[i]) ** 2;
  }

  gradient.fill(0);
  for (let i = 0; i < n; i++) {
    const coef = ((outputs[i] - labels[i]) * scale) / n;
    const x = points.data.subarray(i * dim, (i + 1) * dim);
    const row = i * width;
    for (let r = 0; r < width; r++) {
      if (active[row + r] === 0) continue;
      const c = coef * signs[r];
      for (let k = 0; k < dim; k++) gradient[r * dim + k] += c * x[k];
    }
  }
  for (let j = 0; j < weights.length; j++) weights[j] -= eta * gradient[j];
  return loss / (2 * n);
}
