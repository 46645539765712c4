// A ReLU multilayer perceptron in plain Float64Array code, written so that a
// contiguous range of its layers can run on its own: the client part of a
// split model (layers before the split) or the server part (the rest).
// Hand-written backpropagation keeps each client's step a small, serialisable
// task (see clients.ts); the tests check it against finite differences.

/** A dense layer: `w` is `inputs x outputs` row-major, then a bias. */
export interface Layer {
  inputs: number;
  outputs: number;
  w: Float64Array;
  b: Float64Array;
}

/** He-initialised layers for the given widths (e.g. [784, 64, 32, 10]). */
export function initLayers(widths: number[], normal: () => number): Layer[] {
  const layers: Layer[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const inputs = widths[l];
    const outputs = widths[l + 1];
    const scale = Math.sqrt(2 / inputs);
    const w = new Float64Array(inputs * outputs);
    for (let i = 0; i < w.length; i++) w[i] = scale * normal();
    layers.push({ inputs, outputs, w, b: new Float64Array(outputs) });
  }
  return layers;
}

/** Weights as used in the forward pass: w * mask when a pruning mask is given. */
export function effectiveWeights(layer: Layer, mask?: Uint8Array): Float64Array {
  if (!mask) return layer.w;
  const out = new Float64Array(layer.w.length);
  for (let i = 0; i < out.length; i++) if (mask[i]) out[i] = layer.w[i];
  return out;
}

/**
 * Runs `layers` on a batch (`rows x inputs`); ReLU after every layer, or
 * after all but the last when `reluLast` is false. Returns every layer's
 * output (post-activation), input first. Zero inputs are skipped, which
 * makes the first layer cheap on MNIST pixels.
 */
export function forward(
  layers: Layer[],
  weights: Float64Array[],
  x: Float64Array,
  rows: number,
  reluLast: boolean,
): Float64Array[] {
  const outputs: Float64Array[] = [x];
  let input = x;
  layers.forEach((layer, l) => {
    const { inputs, outputs: width } = layer;
    const w = weights[l];
    const out = new Float64Array(rows * width);
    for (let r = 0; r < rows; r++) {
      const o = out.subarray(r * width, (r + 1) * width);
      o.set(layer.b);
      for (let k = 0; k < inputs; k++) {
        const v = input[r * inputs + k];
        if (v === 0) continue;
        const base = k * width;
        for (let j = 0; j < width; j++) o[j] += v * w[base + j];
      }
    }
    if (reluLast || l < layers.length - 1) {
      for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] = 0;
    }
    outputs.push(out);
    input = out;
  });
  return outputs;
}

export interface Gradients {
  w: Float64Array[];
  b: Float64Array[];
  /** Gradient with respect to the input of the first layer (when asked for). */
  input: Float64Array | null;
}

/**
 * Backpropagates `gradOut` (gradient of the loss with respect to the last
 * layer's output) through `layers`, given the outputs `forward` returned.
 * Weight gradients are with respect to the effective (masked) weights.
 */
export function backward(
  layers: Layer[],
  weights: Float64Array[],
  outputs: Float64Array[],
  gradOut: Float64Array,
  rows: number,
  reluLast: boolean,
  needInput: boolean,
): Gradients {
  const gw = layers.map((l) => new Float64Array(l.w.length));
  const gb = layers.map((l) => new Float64Array(l.b.length));
  let delta = Float64Array.from(gradOut);
  let input: Float64Array | null = null;
  for (let l = layers.length - 1; l >= 0; l--) {
    const { inputs, outputs: width } = layers[l];
    const out = outputs[l + 1];
    if (reluLast || l < layers.length - 1) {
      for (let i = 0; i < delta.length; i++) if (out[i] <= 0) delta[i] = 0;
    }
    const x = outputs[l];
    for (let r = 0; r < rows; r++) {
      const d = delta.subarray(r * width, (r + 1) * width);
      for (let j = 0; j < width; j++) gb[l][j] += d[j];
      for (let k = 0; k < inputs; k++) {
        const v = x[r * inputs + k];
        if (v === 0) continue;
        const base = k * width;
        for (let j = 0; j < width; j++) gw[l][base + j] += v * d[j];
      }
    }
    if (l === 0 && !needInput) break;
    const w = weights[l];
    const next = new Float64Array(rows * inputs);
    for (let r = 0; r < rows; r++) {
      const d = delta.subarray(r * width, (r + 1) * width);
      for (let k = 0; k < inputs; k++) {
        let s = 0;
        const base = k * width;
        for (let j = 0; j < width; j++) s += w[base + j] * d[j];
        next[r * inputs + k] = s;
      }
    }
    if (l === 0) input = next;
    delta = next;
  }
  return { w: gw, b: gb, input };
}

/** Mean softmax cross-entropy of logits (`rows x classes`) and its gradient. */
export function crossEntropy(
  logits: Float64Array,
  labels: ArrayLike<number>,
  rows: number,
  classes: number,
): { loss: number; grad: Float64Array } {
  const grad = new Float64Array(logits.length);
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const z = logits.subarray(r * classes, (r + 1) * classes);
    const max = Math.max(...z);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(z[c] - max);
    loss += max + Math.log(sum) - z[labels[r]];
    for (let c = 0; c < classes; c++) {
      grad[r * classes + c] = (Math.exp(z[c] - max) / sum - (c === labels[r] ? 1 : 0)) / rows;
    }
  }
  return { loss: loss / rows, grad };
}

/** w <- w - lr * g for every layer (in place). */
export function sgdStep(layers: Layer[], grads: Gradients, learningRate: number): void {
  layers.forEach((layer, l) => {
    for (let i = 0; i < layer.w.length; i++) layer.w[i] -= learningRate * grads.w[l][i];
    for (let i = 0; i < layer.b.length; i++) layer.b[i] -= learningRate * grads.b[l][i];
  });
}

/** The index of the largest logit of each row. */
export function predict(logits: Float64Array, rows: number, classes: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (logits[r * classes + c] > logits[r * classes + best]) best = c;
    }
    out[r] = best;
  }
  return out;
}

/** A deep copy of layers. */
export function cloneLayers(layers: Layer[]): Layer[] {
  return layers.map((l) => ({ ...l, w: Float64Array.from(l.w), b: Float64Array.from(l.b) }));
}

/** sum_k weight_k * layers_k, layer by layer. */
export function averageLayers(models: Layer[][], weights: number[]): Layer[] {
  return models[0].map((first, l) => {
    const w = new Float64Array(first.w.length);
    const b = new Float64Array(first.b.length);
    models.forEach((model, k) => {
      for (let i = 0; i < w.length; i++) w[i] += weights[k] * model[l].w[i];
      for (let i = 0; i < b.length; i++) b[i] += weights[k] * model[l].b[i];
    });
    return { inputs: first.inputs, outputs: first.outputs, w, b };
  });
}
