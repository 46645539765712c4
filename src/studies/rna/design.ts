// RNA design by sampling-based continuous optimisation (Tang, Dai, Zhou, Mathews & Huang,
// "Sampling-based Continuous Optimization with Coupled Variables for RNA Design"): a product
// distribution over valid sequences (each target pair a 6-way categorical over CG GC GU UG AU
// UA, each unpaired position a 4-way one), improved by REINFORCE gradients of the expected
// objective with Adam on the logits; every sample is scored exactly and the best one is kept.
import type { Rng } from "../../core/rng.js";
import type { Dangles } from "./energy.js";
import type { Objective } from "./objective.js";
import type { ScorePool } from "./score-pool.js";
import { scoreHere } from "./score-pool.js";
import { parseStructure } from "./sequence.js";

/** The six pairs a paired variable ranges over, and the four unpaired bases. */
export const PAIRS = ["CG", "GC", "GU", "UG", "AU", "UA"];
export const UNPAIRED = ["A", "C", "G", "U"];

/** targeted: pairs biased to CG/GC and loops to A (the paper's start); uniform: all equal. */
export type Init = "targeted" | "uniform";

export interface DesignOptions {
  objective: Objective;
  /** Starting distributions, cycled through by the runs. */
  inits: Init[];
  /**
   * Independent runs (restarts), each from the next initialisation in `inits` and each with an
   * equal share of the budget; a run ends early when its best sample stops improving.
   */
  runs: number;
  samplesPerStep: number;
  learningRate: number;
  /** Most steps per initialisation. */
  maxSteps: number;
  /** Stop an initialisation when its best score has not improved for this many steps. */
  patience: number;
  /** Wall-clock budget for the whole design in seconds. */
  budgetSeconds: number;
  /** Subtract the batch mean (leave-one-out) from each sample's score before the gradient. */
  baseline: boolean;
  coupling: Coupling;
  dangles: Dangles;
}

export const DEFAULT_DESIGN: DesignOptions = {
  objective: "prob",
  inits: ["targeted", "uniform"],
  runs: 4,
  samplesPerStep: 32,
  learningRate: 0.15,
  maxSteps: 1500,
  patience: 250,
  budgetSeconds: 60,
  baseline: true,
  coupling: "mismatch",
  dangles: 2,
};

/** One optimisation step's record (for the trajectory file and plots). */
export interface DesignStep {
  /** Which run (restart) and its initialisation. */
  run: number;
  init: Init;
  step: number;
  seconds: number;
  /** Mean and best score of this step's samples, best score seen so far. */
  meanScore: number;
  stepBest: number;
  bestScore: number;
  /** Mean entropy (nats) of the categorical variables: how far the distribution has settled. */
  entropy: number;
  distinct: number;
}

export interface DesignResult {
  sequence: string;
  score: number;
  /** The initialisation whose run found the best sequence. */
  foundBy: Init;
  steps: number;
  evaluations: number;
  seconds: number;
  trajectory: DesignStep[];
}

/**
 * pairs: a 6-way variable per target pair and a 4-way one per unpaired base; mismatch: also
 * joins the two unpaired bases flanking a pair on the same side (its terminal mismatch, which
 * the energy model scores jointly) into one 16-way variable.
 */
export type Coupling = "pairs" | "mismatch";

const MISMATCHES = UNPAIRED.flatMap((a) => UNPAIRED.map((b) => a + b));

/** The coupled variables of a target: groups of positions sharing one categorical. */
export interface Variables {
  n: number;
  /** For group g: first position, second position (-1 if none), logits offset, size. */
  first: Int32Array;
  second: Int32Array;
  offset: Int32Array;
  size: Int32Array;
  /** The values of group g: strings of one base (or two, for first and second). */
  alphabet: string[][];
  count: number;
}

/** The variables of a target under a coupling (exported for tests and reports). */
export function variablesOf(pt: Int32Array, coupling: Coupling): Variables {
  const n = pt.length;
  const groups: { first: number; second: number; alphabet: string[] }[] = [];
  const taken = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (pt[i] > i) {
      groups.push({ first: i, second: pt[i], alphabet: PAIRS });
      taken[i] = 1;
      taken[pt[i]] = 1;
    }
  }
  if (coupling === "mismatch") {
    const free = (k: number) => k >= 0 && k < n && pt[k] < 0 && !taken[k];
    for (let i = 0; i < n; i++) {
      const j = pt[i];
      if (j <= i) continue;
      // inside the loop the pair closes (i+1, j-1), and outside it (i-1, j+1)
      for (const [a, b] of [
        [i + 1, j - 1],
        [i - 1, j + 1],
      ]) {
        if (a !== b && free(a) && free(b)) {
          groups.push({ first: a, second: b, alphabet: MISMATCHES });
          taken[a] = 1;
          taken[b] = 1;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) {
    if (!taken[i]) groups.push({ first: i, second: -1, alphabet: UNPAIRED });
  }
  const offset: number[] = [];
  let total = 0;
  for (const g of groups) {
    offset.push(total);
    total += g.alphabet.length;
  }
  return {
    n,
    first: Int32Array.from(groups, (g) => g.first),
    second: Int32Array.from(groups, (g) => g.second),
    offset: Int32Array.from(offset),
    size: Int32Array.from(groups, (g) => g.alphabet.length),
    alphabet: groups.map((g) => g.alphabet),
    count: total,
  };
}

/**
 * Initial logits: log of the starting probabilities. targeted: CG and GC 0.4 each and the
 * other pairs 0.05; unpaired A 0.7 and the others 0.1 (mismatches: the product of the two).
 */
function initialLogits(v: Variables, init: Init): Float64Array {
  const logits = new Float64Array(v.count);
  if (init === "uniform") return logits;
  const unpaired = (base: string) => (base === "A" ? 0.7 : 0.1);
  for (let g = 0; g < v.first.length; g++) {
    const o = v.offset[g];
    v.alphabet[g].forEach((value, k) => {
      const p =
        v.size[g] === 6
          ? k < 2
            ? 0.4
            : 0.05
          : [...value].reduce((acc, c) => acc * unpaired(c), 1);
      logits[o + k] = Math.log(p);
    });
  }
  return logits;
}

function softmaxInto(logits: Float64Array, o: number, k: number, out: Float64Array): void {
  let max = -Infinity;
  for (let a = 0; a < k; a++) max = Math.max(max, logits[o + a]);
  let sum = 0;
  for (let a = 0; a < k; a++) {
    out[o + a] = Math.exp(logits[o + a] - max);
    sum += out[o + a];
  }
  for (let a = 0; a < k; a++) out[o + a] /= sum;
}

/** Adam (Kingma & Ba) on a flat parameter vector: m, v moments, bias-corrected. */
class Adam {
  private m: Float64Array;
  private v: Float64Array;
  private t = 0;
  constructor(
    size: number,
    private lr: number,
    private b1 = 0.9,
    private b2 = 0.999,
    private eps = 1e-8,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }
  /** params -= lr * mhat / (sqrt(vhat) + eps) */
  step(params: Float64Array, grad: Float64Array): void {
    this.t++;
    const c1 = 1 - this.b1 ** this.t;
    const c2 = 1 - this.b2 ** this.t;
    for (let k = 0; k < params.length; k++) {
      this.m[k] = this.b1 * this.m[k] + (1 - this.b1) * grad[k];
      this.v[k] = this.b2 * this.v[k] + (1 - this.b2) * grad[k] * grad[k];
      params[k] -= (this.lr * (this.m[k] / c1)) / (Math.sqrt(this.v[k] / c2) + this.eps);
    }
  }
}

/**
 * REINFORCE estimate of the gradient of E[score] with respect to the logits from one batch:
 * mean_k (score_k - b_k) (onehot(x_k) - softmax), with b_k the mean of the other samples'
 * scores when `baseline` is on (leave-one-out keeps the estimate unbiased), else 0.
 */
export function reinforceGradient(
  probs: Float64Array,
  choices: Int32Array[],
  scores: number[],
  v: { offset: Int32Array; size: Int32Array },
  baseline: boolean,
): Float64Array {
  const grad = new Float64Array(probs.length);
  const m = scores.length;
  const total = scores.reduce((a, b) => a + b, 0);
  for (let s = 0; s < m; s++) {
    const b = baseline && m > 1 ? (total - scores[s]) / (m - 1) : 0;
    const w = (scores[s] - b) / m;
    if (w === 0) continue;
    for (let g = 0; g < v.offset.length; g++) {
      const o = v.offset[g];
      for (let a = 0; a < v.size[g]; a++) grad[o + a] -= w * probs[o + a];
      grad[o + choices[s][g]] += w;
    }
  }
  return grad;
}

function sample(v: Variables, probs: Float64Array, rng: Rng): { seq: string; choice: Int32Array } {
  const chars: string[] = new Array(v.n);
  const choice = new Int32Array(v.first.length);
  for (let g = 0; g < v.first.length; g++) {
    const o = v.offset[g];
    const k = v.size[g];
    let u = rng.uniform();
    let a = 0;
    for (; a < k - 1; a++) {
      u -= probs[o + a];
      if (u < 0) break;
    }
    choice[g] = a;
    const value = v.alphabet[g][a];
    chars[v.first[g]] = value[0];
    if (v.second[g] >= 0) chars[v.second[g]] = value[1];
  }
  return { seq: chars.join(""), choice };
}

function meanEntropy(v: Variables, probs: Float64Array): number {
  let h = 0;
  for (let g = 0; g < v.first.length; g++) {
    for (let a = 0; a < v.size[g]; a++) {
      const p = probs[v.offset[g] + a];
      if (p > 0) h -= p * Math.log(p);
    }
  }
  return h / Math.max(1, v.first.length);
}

// Limitation: every sample costs one O(n^3) partition function (about 0.5 s of CPU at 400 nt),
// so on the longest Eterna100 targets the default 60 s budget allows only a few steps; those
// need a budget of hours, as in the paper, or more worker threads.
/**
 * Designs a sequence for the dot-bracket target. Scoring goes through `pool` when given (worker
 * threads), else runs in this thread. `onStep` sees every step (for progress and metrics).
 */
export async function design(
  target: string,
  options: Partial<DesignOptions>,
  rng: Rng,
  pool?: ScorePool,
  onStep?: (step: DesignStep) => void,
): Promise<DesignResult> {
  const o = { ...DEFAULT_DESIGN, ...options };
  const pt = parseStructure(target);
  const v = variablesOf(pt, o.coupling);
  const cache = new Map<string, number>();
  const start = performance.now();
  const elapsed = () => (performance.now() - start) / 1000;
  const trajectory: DesignStep[] = [];
  let best = { sequence: "", score: Infinity, foundBy: o.inits[0] as Init };
  let steps = 0;

  for (let r = 0; r < o.runs; r++) {
    const init = o.inits[r % o.inits.length];
    const runRng = rng.fork(`init-${init}-${r}`);
    const deadline = (o.budgetSeconds * (r + 1)) / o.runs;
    const logits = initialLogits(v, init);
    const probs = new Float64Array(v.count);
    const adam = new Adam(v.count, o.learningRate);
    let runBest = Infinity;
    let sinceImproved = 0;

    // the first run takes at least one step, so that there is always a sequence to return
    for (let step = 0; step < o.maxSteps && (elapsed() < deadline || steps === 0); step++) {
      for (let g = 0; g < v.first.length; g++) softmaxInto(logits, v.offset[g], v.size[g], probs);
      const batch = Array.from({ length: o.samplesPerStep }, () => sample(v, probs, runRng));

      // score the sequences not seen before, exactly
      const fresh = [...new Set(batch.map((b) => b.seq).filter((s) => !cache.has(s)))];
      const freshScores = pool
        ? await pool.score(fresh, target, o.objective, o.dangles)
        : scoreHere(fresh, target, o.objective, o.dangles);
      for (const [k, s] of fresh.entries()) cache.set(s, freshScores[k]);
      const scores = batch.map((b) => cache.get(b.seq)!);

      let stepBest = Infinity;
      let stepBestSeq = "";
      scores.forEach((s, k) => {
        if (s < stepBest) {
          stepBest = s;
          stepBestSeq = batch[k].seq;
        }
      });
      if (stepBest < best.score) best = { sequence: stepBestSeq, score: stepBest, foundBy: init };
      if (stepBest < runBest - 1e-12) {
        runBest = stepBest;
        sinceImproved = 0;
      } else sinceImproved++;

      const grad = reinforceGradient(
        probs,
        batch.map((b) => b.choice),
        scores,
        v,
        o.baseline,
      );
      adam.step(logits, grad);
      steps++;

      const record: DesignStep = {
        run: r,
        init,
        step,
        seconds: elapsed(),
        meanScore: scores.reduce((a, b) => a + b, 0) / scores.length,
        stepBest,
        bestScore: best.score,
        entropy: meanEntropy(v, probs),
        distinct: new Set(batch.map((b) => b.seq)).size,
      };
      trajectory.push(record);
      onStep?.(record);
      if (sinceImproved >= o.patience) break;
      // a perfect score cannot improve: the gap and NED objectives bottom out at 0
      if (o.objective !== "prob" && runBest <= 0) break;
    }
  }
  return {
    sequence: best.sequence,
    score: best.score,
    foundBy: best.foundBy,
    steps,
    evaluations: cache.size,
    seconds: elapsed(),
    trajectory,
  };
}

/**
 * What the baseline buys: the total variance (summed over logits) of the one-batch REINFORCE
 * estimate at the starting distribution, without and with the leave-one-out baseline, from
 * `batches` independent batches scored by -ln p(target | x) (or the chosen objective).
 */
export function baselineVariance(
  target: string,
  init: Init,
  samplesPerStep: number,
  batches: number,
  rng: Rng,
  objective: Objective = "prob",
  coupling: Coupling = "mismatch",
): { withoutBaseline: number; withBaseline: number } {
  const v = variablesOf(parseStructure(target), coupling);
  const logits = initialLogits(v, init);
  const probs = new Float64Array(v.count);
  for (let g = 0; g < v.first.length; g++) softmaxInto(logits, v.offset[g], v.size[g], probs);
  const stats = [false, true].map(() => ({
    sum: new Float64Array(v.count),
    sq: new Float64Array(v.count),
  }));
  for (let b = 0; b < batches; b++) {
    const batch = Array.from({ length: samplesPerStep }, () => sample(v, probs, rng));
    const scores = scoreHere(
      batch.map((x) => x.seq),
      target,
      objective,
    );
    [false, true].forEach((useBaseline, k) => {
      const g = reinforceGradient(
        probs,
        batch.map((x) => x.choice),
        scores,
        v,
        useBaseline,
      );
      for (let a = 0; a < v.count; a++) {
        stats[k].sum[a] += g[a];
        stats[k].sq[a] += g[a] * g[a];
      }
    });
  }
  const total = (k: number) => {
    let t = 0;
    for (let a = 0; a < v.count; a++) {
      const mean = stats[k].sum[a] / batches;
      t += stats[k].sq[a] / batches - mean * mean;
    }
    return t;
  };
  return { withoutBaseline: total(0), withBaseline: total(1) };
}
