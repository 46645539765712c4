// The mean softmax cross-entropy of one batch for the MLP of mlp.ts: its value,
// gradient, and Hessian-vector products (forward-over-reverse, written out by
// hand). Activations are stored unit-major (`width x batch`) so that every
// large product reads contiguous rows.
import { type Batch, geluDerivatives, gemmNT, layout, type MlpShape } from "./mlp.js";

/** Forward quantities of one batch at fixed parameters, reused by many HVPs. */
export class BatchLoss {
  readonly shape: MlpShape;
  readonly size: number;
  private readonly at: ReturnType<typeof layout>;
  private batch!: Batch;
  private theta!: Float64Array;
  // unit-major activations (h x B) and output quantities (c x B)
  private readonly z1: Float64Array;
  private readonly act: Float64Array;
  private readonly d1: Float64Array;
  private readonly d2ga: Float64Array;
  private readonly prob: Float64Array;
  private readonly g2: Float64Array;
  private readonly ga: Float64Array;
  // scratch for one tangent
  private readonly dz1: Float64Array;
  private readonly dact: Float64Array;
  private readonly dz2: Float64Array;
  private readonly dg1: Float64Array;
  private readonly dgaRow: Float64Array;
  /** Loss and gradient at the parameters of the last `setParams`. */
  loss = 0;
  readonly gradient: Float64Array;

  constructor(shape: MlpShape, maxBatch: number) {
    this.shape = shape;
    this.at = layout(shape);
    this.size = this.at.size;
    const hb = shape.width * maxBatch;
    const cb = shape.classes * maxBatch;
    this.z1 = new Float64Array(hb);
    this.act = new Float64Array(hb);
    this.d1 = new Float64Array(hb);
    this.d2ga = new Float64Array(hb);
    this.ga = new Float64Array(hb);
    this.dz1 = new Float64Array(hb);
    this.dact = new Float64Array(hb);
    this.dg1 = new Float64Array(hb);
    this.dgaRow = new Float64Array(maxBatch);
    this.prob = new Float64Array(cb);
    this.g2 = new Float64Array(cb);
    this.dz2 = new Float64Array(cb);
    this.gradient = new Float64Array(this.size);
  }

  /** Runs the forward and backward pass of `batch` at `theta` (kept by reference). */
  setParams(theta: Float64Array, batch: Batch): void {
    this.theta = theta;
    this.batch = batch;
    const { inputs: d, width: h, classes: c } = this.shape;
    const nb = batch.count;
    const at = this.at;
    const { z1, act, d1, prob, g2, ga, d2ga } = this;
    // d2ga holds gelu''(z1) until it is multiplied by ga below

    gemmNT(theta, at.w1, h, d, batch.x, 0, nb, z1, 0);
    for (let j = 0; j < h; j++) {
      const bias = theta[at.b1 + j];
      for (let b = 0; b < nb; b++) {
        const i = j * nb + b;
        const x = z1[i] + bias;
        z1[i] = x;
        const t = Math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x));
        act[i] = 0.5 * x * (1 + t);
        const [first, second] = geluDerivatives(x);
        d1[i] = first;
        d2ga[i] = second;
      }
    }

    // logits (c x B), softmax, and dLoss/dlogits = (p - onehot) / B
    prob.fill(0, 0, c * nb);
    for (let o = 0; o < c; o++) {
      for (let j = 0; j < h; j++) {
        const w = theta[at.w2 + o * h + j];
        const row = j * nb;
        for (let b = 0; b < nb; b++) prob[o * nb + b] += w * act[row + b];
      }
    }
    let loss = 0;
    for (let b = 0; b < nb; b++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let o = 0; o < c; o++) {
        const z = prob[o * nb + b] + theta[at.b2 + o];
        prob[o * nb + b] = z;
        if (z > max) max = z;
      }
      let sum = 0;
      for (let o = 0; o < c; o++) sum += Math.exp(prob[o * nb + b] - max);
      const label = batch.labels[b];
      loss += max + Math.log(sum) - prob[label * nb + b];
      for (let o = 0; o < c; o++) {
        const p = Math.exp(prob[o * nb + b] - max) / sum;
        prob[o * nb + b] = p;
        g2[o * nb + b] = (p - (o === label ? 1 : 0)) / nb;
      }
    }
    this.loss = loss / nb;

    const grad = this.gradient;
    gemmNT(g2, 0, c, nb, act, 0, h, grad, at.w2);
    for (let o = 0; o < c; o++) {
      let s = 0;
      for (let b = 0; b < nb; b++) s += g2[o * nb + b];
      grad[at.b2 + o] = s;
    }
    ga.fill(0, 0, h * nb);
    for (let o = 0; o < c; o++) {
      for (let j = 0; j < h; j++) {
        const w = theta[at.w2 + o * h + j];
        const row = j * nb;
        for (let b = 0; b < nb; b++) ga[row + b] += w * g2[o * nb + b];
      }
    }
    // g1 = ga * gelu'(z1), kept in dg1 as scratch; ga * gelu''(z1) is reused by HVPs
    const g1 = this.dg1;
    for (let i = 0; i < h * nb; i++) {
      g1[i] = ga[i] * d1[i];
      d2ga[i] *= ga[i];
    }
    gemmNT(g1, 0, h, nb, batch.xT, 0, d, grad, at.w1);
    for (let j = 0; j < h; j++) {
      let s = 0;
      for (let b = 0; b < nb; b++) s += g1[j * nb + b];
      grad[at.b1 + j] = s;
    }
  }

  /** out[outOff ..] = H v[vOff ..], the Hessian of the batch loss times one vector. */
  hvp(v: Float64Array, vOff: number, out: Float64Array, outOff: number): void {
    const { inputs: d, width: h, classes: c } = this.shape;
    const nb = this.batch.count;
    const at = this.at;
    const theta = this.theta;
    const { act, d1, prob, g2, d2ga, dz1, dact, dz2, dg1 } = this;

    // tangent of the hidden pre-activations and activations
    gemmNT(v, vOff + at.w1, h, d, this.batch.x, 0, nb, dz1, 0);
    for (let j = 0; j < h; j++) {
      const bias = v[vOff + at.b1 + j];
      for (let b = 0; b < nb; b++) {
        const i = j * nb + b;
        dz1[i] += bias;
        dact[i] = d1[i] * dz1[i];
      }
    }

    // tangent of the logits: W2 dact + V2 act + v_b2 (two hidden units per pass)
    for (let o = 0; o < c; o++) {
      const bias = v[vOff + at.b2 + o];
      const orow = o * nb;
      const wRow = at.w2 + o * h;
      for (let b = 0; b < nb; b++) dz2[orow + b] = bias;
      let j = 0;
      for (; j + 1 < h; j += 2) {
        const w0 = theta[wRow + j];
        const w1 = theta[wRow + j + 1];
        const t0 = v[vOff + wRow + j];
        const t1 = v[vOff + wRow + j + 1];
        const r0 = j * nb;
        const r1 = r0 + nb;
        for (let b = 0; b < nb; b++) {
          dz2[orow + b] +=
            w0 * dact[r0 + b] + t0 * act[r0 + b] + w1 * dact[r1 + b] + t1 * act[r1 + b];
        }
      }
      if (j < h) {
        const w = theta[wRow + j];
        const t = v[vOff + wRow + j];
        const row = j * nb;
        for (let b = 0; b < nb; b++) dz2[orow + b] += w * dact[row + b] + t * act[row + b];
      }
    }
    // tangent of (p - y)/B: p * (dz - <p, dz>) / B, in place
    for (let b = 0; b < nb; b++) {
      let mean = 0;
      for (let o = 0; o < c; o++) mean += prob[o * nb + b] * dz2[o * nb + b];
      for (let o = 0; o < c; o++) {
        const i = o * nb + b;
        dz2[i] = (prob[i] * (dz2[i] - mean)) / nb;
      }
    }
    const dg2 = dz2;

    // output layer: d(g2 act^T) = dg2 act^T + g2 dact^T
    gemmNT(dg2, 0, c, nb, act, 0, h, out, outOff + at.w2);
    gemmNT(g2, 0, c, nb, dact, 0, h, out, outOff + at.w2, true);
    for (let o = 0; o < c; o++) {
      let s = 0;
      for (let b = 0; b < nb; b++) s += dg2[o * nb + b];
      out[outOff + at.b2 + o] = s;
    }

    // hidden layer: dga = W2^T dg2 + V2^T g2; dg1 = dga gelu' + ga gelu'' dz1
    const dga = this.dgaRow;
    for (let j = 0; j < h; j++) {
      const row = j * nb;
      for (let b = 0; b < nb; b++) dga[b] = 0;
      let o = 0;
      for (; o + 1 < c; o += 2) {
        const w0 = theta[at.w2 + o * h + j];
        const w1 = theta[at.w2 + (o + 1) * h + j];
        const t0 = v[vOff + at.w2 + o * h + j];
        const t1 = v[vOff + at.w2 + (o + 1) * h + j];
        const r0 = o * nb;
        const r1 = r0 + nb;
        for (let b = 0; b < nb; b++) {
          dga[b] += w0 * dg2[r0 + b] + t0 * g2[r0 + b] + w1 * dg2[r1 + b] + t1 * g2[r1 + b];
        }
      }
      if (o < c) {
        const w = theta[at.w2 + o * h + j];
        const t = v[vOff + at.w2 + o * h + j];
        const r0 = o * nb;
        for (let b = 0; b < nb; b++) dga[b] += w * dg2[r0 + b] + t * g2[r0 + b];
      }
      for (let b = 0; b < nb; b++)
        dg1[row + b] = d2ga[row + b] * dz1[row + b] + d1[row + b] * dga[b];
    }
    gemmNT(dg1, 0, h, nb, this.batch.xT, 0, d, out, outOff + at.w1);
    for (let j = 0; j < h; j++) {
      let s = 0;
      for (let b = 0; b < nb; b++) s += dg1[j * nb + b];
      out[outOff + at.b1 + j] = s;
    }
  }
}

/** Class probabilities (`count x classes`, row-major) of the network on `images`. */
export function predict(
  shape: MlpShape,
  theta: Float64Array,
  images: Float64Array,
  count: number,
): Float64Array {
  const { inputs: d, width: h, classes: c } = shape;
  const at = layout(shape);
  const hidden = new Float64Array(h);
  const out = new Float64Array(count * c);
  for (let b = 0; b < count; b++) {
    for (let j = 0; j < h; j++) {
      let z = theta[at.b1 + j];
      for (let k = 0; k < d; k++) z += theta[at.w1 + j * d + k] * images[b * d + k];
      hidden[j] = 0.5 * z * (1 + Math.tanh(0.7978845608028654 * (z + 0.044715 * z * z * z)));
    }
    let max = Number.NEGATIVE_INFINITY;
    for (let o = 0; o < c; o++) {
      let z = theta[at.b2 + o];
      for (let j = 0; j < h; j++) z += theta[at.w2 + o * h + j] * hidden[j];
      out[b * c + o] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let o = 0; o < c; o++) {
      const e = Math.exp(out[b * c + o] - max);
      out[b * c + o] = e;
      sum += e;
    }
    for (let o = 0; o < c; o++) out[b * c + o] /= sum;
  }
  return out;
}
