// Membership-inference attacks on a language model's token log-probabilities:
// LOSS (Yeom et al. 2018), Zlib (Carlini et al. 2021) and Min-K% Prob (Shi et
// al. 2024), scored so that higher means "more likely a member", with ROC AUC
// (ties counted half) and the true-positive rate at a fixed false-positive rate.
import { deflateSync } from "node:zlib";

export type AttackName = "loss" | "zlib" | "mink";
export const ATTACKS: AttackName[] = ["loss", "zlib", "mink"];

/** Mean negative log-likelihood over a text's tokens. */
export function meanLoss(logProbs: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < logProbs.length; i++) sum -= logProbs[i];
  return sum / logProbs.length;
}

/** Length in bytes of the text compressed by zlib (deflate, default level). */
export function zlibBytes(text: string): number {
  return deflateSync(Buffer.from(text, "latin1")).length;
}

/** Mean of the lowest `fraction` of the token log-probabilities (at least one token). */
export function minKMean(logProbs: ArrayLike<number>, fraction = 0.2): number {
  const sorted = Float64Array.from(logProbs).sort();
  const k = Math.max(1, Math.floor(fraction * sorted.length));
  let sum = 0;
  for (let i = 0; i < k; i++) sum += sorted[i];
  return sum / k;
}

/** An attack's membership score for one text (higher: more likely trained on). */
export function attackScore(
  attack: AttackName,
  logProbs: ArrayLike<number>,
  text: string,
  minKFraction = 0.2,
): number {
  if (attack === "loss") return -meanLoss(logProbs);
  if (attack === "zlib") return -meanLoss(logProbs) / zlibBytes(text);
  return minKMean(logProbs, minKFraction);
}

/**
 * ROC AUC of members (positive) against non-members: the probability that a
 * random member scores above a random non-member, ties counting one half
 * (the Mann-Whitney statistic, computed from mid-ranks).
 */
export function rocAuc(members: ArrayLike<number>, nonMembers: ArrayLike<number>): number {
  const m = members.length;
  const n = nonMembers.length;
  if (m === 0 || n === 0) throw new Error("rocAuc needs at least one score on each side");
  const all = [...Array.from(members, (s) => [s, 1]), ...Array.from(nonMembers, (s) => [s, 0])];
  all.sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  let i = 0;
  while (i < all.length) {
    let j = i;
    while (j + 1 < all.length && all[j + 1][0] === all[i][0]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k][1] === 1) rankSum += midRank;
    i = j + 1;
  }
  return (rankSum - (m * (m + 1)) / 2) / (m * n);
}

/**
 * The highest true-positive rate over thresholds t (flag a text when its
 * score >= t) whose false-positive rate is at most `maxFpr`.
 */
export function tprAtFpr(
  members: ArrayLike<number>,
  nonMembers: ArrayLike<number>,
  maxFpr = 0.05,
): number {
  const pos = Float64Array.from(members).sort();
  const neg = Float64Array.from(nonMembers).sort();
  let best = 0;
  for (const t of new Set([...pos, ...neg])) {
    if (countAtLeast(neg, t) / neg.length > maxFpr) continue;
    best = Math.max(best, countAtLeast(pos, t) / pos.length);
  }
  return best;
}

/** How many entries of an ascending array are >= t (binary search). */
function countAtLeast(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}
