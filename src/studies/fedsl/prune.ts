// Magnitude-based dynamic pruning of the client-side model: each round the
// mask keeps the largest (1 - rho) fraction of each layer's dense weights;
// the forward pass uses w * mask and updates go to the dense copy, so pruned
// weights can grow back (dynamic pruning with feedback). Biases are not pruned.
import type { Layer } from "./mlp.js";

/** A mask (1 = kept) over `w` keeping the round((1 - rho) * size) largest |w|, ties to the lower index. */
export function magnitudeMask(w: Float64Array, rho: number): Uint8Array {
  const keep = Math.round((1 - rho) * w.length);
  const mask = new Uint8Array(w.length);
  if (keep >= w.length) return mask.fill(1);
  if (keep <= 0) return mask;
  const magnitudes = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) magnitudes[i] = Math.abs(w[i]);
  const threshold = kthSmallest(Float64Array.from(magnitudes), w.length - keep);
  let kept = 0;
  for (let i = 0; i < w.length; i++) {
    if (magnitudes[i] > threshold) {
      mask[i] = 1;
      kept++;
    }
  }
  for (let i = 0; i < w.length && kept < keep; i++) {
    if (magnitudes[i] === threshold) {
      mask[i] = 1;
      kept++;
    }
  }
  return mask;
}

/** The k-th smallest value (0-based) by quickselect with a median-of-three pivot; reorders `a`. */
export function kthSmallest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const pivot = Math.max(Math.min(a[lo], a[mid]), Math.min(Math.max(a[lo], a[mid]), a[hi]));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** One mask per layer, or none when rho = 0. */
export function layerMasks(layers: Layer[], rho: number): Uint8Array[] | undefined {
  return rho > 0 ? layers.map((l) => magnitudeMask(l.w, rho)) : undefined;
}

/** Non-zero weights a layer multiplies with (its kept weights). */
export function keptWeights(layer: Layer, mask?: Uint8Array): number {
  if (!mask) return layer.w.length;
  let n = 0;
  for (const m of mask) n += m;
  return n;
}

/**
 * FLOPs of one sample's forward pass through `layers`: a multiply and an add
 * per kept weight, one add per bias. Training (forward + backward) is counted
 * as three forward passes, the usual estimate.
 */
export function forwardFlops(layers: Layer[], masks?: Uint8Array[]): number {
  return layers.reduce((sum, l, i) => sum + 2 * keptWeights(l, masks?.[i]) + l.outputs, 0);
}

export function trainingFlops(layers: Layer[], masks?: Uint8Array[]): number {
  return 3 * forwardFlops(layers, masks);
}
