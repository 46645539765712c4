// What one client computes in a round of Local-GD or of our modified Local-GD.
// These functions are executor tasks: plain, structured-cloneable inputs and
// outputs, no engine, no state outside the input.
//
// Local-GD follows Zhu, Vardhan and Mazumdar: from the global model w_k, each
// client takes L full-gradient steps on its own loss f_i. The modified method
// is our instantiation of their refined aggregation: each client solves
// argmin_w f_i(w) + (lambda/2)||w - w_k||^2 to high accuracy; the server
// averages the solutions.
import { dot } from "../../core/linalg.js";
import { addMatTVec, gram, luSolve, type Matrix, matVec } from "./linalg.js";

export type LinearLoss = "square" | "logistic";

/** A client's data: rows of `x` are samples; `y` holds targets (square) or +-1 labels (logistic). */
export interface ClientData {
  x: Matrix;
  y: Float64Array;
}

/** sigma(t) = 1 / (1 + e^-t), without overflow. */
export function sigmoid(t: number): number {
  if (t >= 0) return 1 / (1 + Math.exp(-t));
  const e = Math.exp(t);
  return e / (1 + e);
}

/** log(1 + e^t), without overflow. */
export function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

/** The mean loss of a linear model on one client: square (1/2n)||Xw - y||^2 or logistic. */
export function linearLoss(data: ClientData, w: ArrayLike<number>, loss: LinearLoss): number {
  const m = matVec(data.x, w);
  let s = 0;
  for (let j = 0; j < m.length; j++) {
    s += loss === "square" ? 0.5 * (m[j] - data.y[j]) ** 2 : softplus(-data.y[j] * m[j]);
  }
  return s / m.length;
}

/**
 * Adds the gradient of the mean loss at w, times `scale`, to `out`:
 * square: X^T (Xw - y) / n; logistic: -X^T (y * sigma(-y Xw)) / n.
 */
export function addLinearGradient(
  data: ClientData,
  w: ArrayLike<number>,
  loss: LinearLoss,
  scale: number,
  out: Float64Array,
  margins = new Float64Array(data.x.rows),
): void {
  const n = data.x.rows;
  matVec(data.x, w, margins);
  for (let j = 0; j < n; j++) {
    const y = data.y[j];
    margins[j] = loss === "square" ? margins[j] - y : -y * sigmoid(-y * margins[j]);
  }
  addMatTVec(data.x, margins, scale / n, out);
}

export interface LocalGdInput extends ClientData {
  /** The global model w_k the client starts from. */
  w: Float64Array;
  localSteps: number;
  learningRate: number;
  loss: LinearLoss;
}

/**
 * L steps of full-batch gradient descent on the client's loss,
 * w <- w - eta grad f_i(w). Every gradient is X^T g(Xw) for a per-sample
 * vector g, so w stays in w_k + rowspace(X): we iterate on the coefficients
 * alpha of w = w_k + X^T alpha and the margins m = X w_k + K alpha
 * (K = X X^T), which costs n^2 per step instead of 2nd. The steps are the
 * same; only the order of floating-point operations differs.
 */
export function localGd(input: LocalGdInput): Float64Array {
  const { x, y, loss } = input;
  const n = x.rows;
  const k = gram(x);
  const m = matVec(x, input.w);
  const alpha = new Float64Array(n);
  const g = new Float64Array(n);
  const scale = input.learningRate / n;
  for (let step = 0; step < input.localSteps; step++) {
    for (let j = 0; j < n; j++) {
      g[j] = loss === "square" ? m[j] - y[j] : -y[j] * sigmoid(-y[j] * m[j]);
      alpha[j] -= scale * g[j];
    }
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += k.data[i * n + j] * g[j];
      m[i] -= scale * s;
    }
  }
  const w = Float64Array.from(input.w);
  addMatTVec(x, alpha, 1, w);
  return w;
}

export interface ProximalInput extends ClientData {
  w: Float64Array;
  /** Regularisation strength lambda of the local problem. */
  lambda: number;
  /** Stop when ||F||_inf <= tolerance * max(1, ||alpha||_inf) (F below). */
  tolerance: number;
  maxIterations: number;
}

export interface ProximalOutput {
  w: Float64Array;
  iterations: number;
  /** ||grad f_i(w) + lambda (w - w_k)||_2 at the returned point. */
  gradientNorm: number;
}

/**
 * Our modified Local-GD client step for the logistic loss: the minimiser of
 * f_i(w) + (lambda/2)||w - w_k||^2. The minimiser is w = w_k + X^T alpha, so
 * we solve for alpha (one entry per sample) the stationarity condition
 * F(alpha) = alpha - y * sigma(-y m) / (lambda n) = 0, m = X w_k + K alpha,
 * K = X X^T, by Newton's method (Jacobian I + diag(s) K / (lambda n),
 * s = sigma(1 - sigma)) with Armijo backtracking on the local objective.
 */
export function proximalLogistic(input: ProximalInput): ProximalOutput {
  const { x, y, lambda } = input;
  const n = x.rows;
  const k = gram(x);
  const base = matVec(x, input.w);
  let alpha = new Float64Array(n);

  const marginsAt = (a: Float64Array) => {
    const km = matVec(k, a);
    for (let j = 0; j < n; j++) km[j] += base[j];
    return km;
  };
  const objective = (a: Float64Array, m: Float64Array) => {
    let s = 0;
    for (let j = 0; j < n; j++) s += softplus(-y[j] * m[j]);
    return s / n + 0.5 * lambda * dot(a, matVec(k, a));
  };
  const residual = (a: Float64Array, m: Float64Array) =>
    a.map((aj, j) => aj - (y[j] * sigmoid(-y[j] * m[j])) / (lambda * n));

  let m = marginsAt(alpha);
  let f = residual(alpha, m);
  let iterations = 0;
  while (iterations < input.maxIterations) {
    const scaleA = Math.max(1, ...alpha.map(Math.abs));
    if (Math.max(...f.map(Math.abs)) <= input.tolerance * scaleA) break;
    iterations++;

    const jac = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      const p = sigmoid(-y[i] * m[i]);
      const s = (p * (1 - p)) / (lambda * n);
      for (let j = 0; j < n; j++) jac[i * n + j] = s * k.data[i * n + j] + (i === j ? 1 : 0);
    }
    const step = luSolve(
      { data: jac, rows: n, cols: n },
      f.map((v) => -v),
    );

    // Armijo backtracking on the local objective phi(alpha); its gradient is lambda K F.
    const slope = lambda * dot(matVec(k, f), step);
    const current = objective(alpha, m);
    let t = 1;
    let trial = alpha;
    let trialM = m;
    let accepted = false;
    for (let back = 0; back < 40 && slope < 0; back++) {
      trial = alpha.map((a, j) => a + t * step[j]);
      trialM = marginsAt(trial);
      if (objective(trial, trialM) <= current + 1e-4 * t * slope) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    // no decrease left to find: the residual is at the rounding floor
    if (!accepted) break;
    const moved = t * Math.max(...step.map(Math.abs));
    alpha = trial;
    m = trialM;
    f = residual(alpha, m);
    if (moved <= 1e-13 * Math.max(1, ...alpha.map(Math.abs))) break;
  }

  const w = Float64Array.from(input.w);
  addMatTVec(x, alpha, 1, w);
  const g = new Float64Array(x.cols);
  addMatTVec(x, f, lambda, g);
  return { w, iterations, gradientNorm: Math.sqrt(dot(g, g)) };
}

export interface SoftmaxInput {
  /** Features with a constant last column for the bias, `n x p`. */
  x: Matrix;
  labels: Int32Array;
  classes: number;
  /** Weights `classes x p`, row-major. */
  w: Float64Array;
  localSteps: number;
  learningRate: number;
  /** Ridge strength on all weights: the loss adds (l2/2)||W||^2. */
  l2: number;
}

/** Mean cross-entropy of a softmax-linear model plus (l2/2)||W||^2; adds scale * gradient to `grad` if given. */
export function softmaxLoss(
  x: Matrix,
  labels: Int32Array,
  classes: number,
  w: Float64Array,
  l2: number,
  grad?: { out: Float64Array; scale: number },
): number {
  const { rows: n, cols: p, data } = x;
  const logits = new Float64Array(classes);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const row = i * p;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += data[row + j] * w[c * p + j];
      logits[c] = s;
      if (s > max) max = s;
    }
    let z = 0;
    for (let c = 0; c < classes; c++) z += Math.exp(logits[c] - max);
    loss += max + Math.log(z) - logits[labels[i]];
    if (!grad) continue;
    for (let c = 0; c < classes; c++) {
      const coef = (grad.scale * (Math.exp(logits[c] - max) / z - (c === labels[i] ? 1 : 0))) / n;
      const out = grad.out;
      for (let j = 0; j < p; j++) out[c * p + j] += coef * data[row + j];
    }
  }
  if (grad) for (let j = 0; j < w.length; j++) grad.out[j] += grad.scale * l2 * w[j];
  return loss / n + 0.5 * l2 * dot(w, w);
}

/** L gradient steps on a client's softmax fine-tuning loss (the last layer of a frozen network). */
export function softmaxLocalGd(input: SoftmaxInput): Float64Array {
  const w = Float64Array.from(input.w);
  const g = new Float64Array(w.length);
  for (let step = 0; step < input.localSteps; step++) {
    g.fill(0);
    softmaxLoss(input.x, input.labels, input.classes, w, input.l2, { out: g, scale: 1 });
    for (let j = 0; j < w.length; j++) w[j] -= input.learningRate * g[j];
  }
  return w;
}
