// The binary-tree mechanism (Dwork et al. 2010; Chan, Shi & Song 2011) with
// Gaussian noise on every dyadic node [a 2^k + 1, (a + 1) 2^k] inside [1, n], and
// its online Honaker estimator: each node's sum is re-estimated, with minimum
// variance, from the node and its two children's estimates once it is complete.
import type { Dense, ErrorProfile } from "./errors.js";
import { dense } from "./errors.js";

/** Number of tree levels, floor(log2 n) + 1: sens(R)^2 of the tree encoder. */
export function treeLevels(n: number): number {
  return Math.floor(Math.log2(n) + 1e-12) + 1;
}

/**
 * Honaker variance factors: v(0) = 1 and v(k) = 1 / (1 + 1 / (2 v(k - 1))),
 * the variance (in units of one node's noise variance) of the best estimate of
 * a height-k block from its node and its two children's estimates.
 */
export function honakerFactors(levels: number): Float64Array {
  const v = new Float64Array(levels);
  v[0] = 1;
  for (let k = 1; k < levels; k++) v[k] = 1 / (1 + 1 / (2 * v[k - 1]));
  return v;
}

/** Heights of the maximal dyadic blocks of [1, t]: the set bits of t. */
export function blockHeights(t: number): number[] {
  const heights: number[] = [];
  for (let h = 0; 2 ** h <= t; h++) if (Math.floor(t / 2 ** h) % 2 === 1) heights.push(h);
  return heights;
}

/** Error profile of the standard tree: ||L_t||^2 = popcount(t). */
export function treeProfile(n: number): ErrorProfile {
  const rowNorm2 = new Float64Array(n);
  for (let t = 1; t <= n; t++) rowNorm2[t - 1] = blockHeights(t).length;
  return { rowNorm2, sens2: treeLevels(n) };
}

/** Error profile of the tree with the online Honaker estimator: sum of v(height). */
export function honakerProfile(n: number): ErrorProfile {
  const v = honakerFactors(treeLevels(n));
  const rowNorm2 = new Float64Array(n);
  for (let t = 1; t <= n; t++) {
    let sum = 0;
    for (const h of blockHeights(t)) sum += v[h];
    rowNorm2[t - 1] = sum;
  }
  return { rowNorm2, sens2: treeLevels(n) };
}

/** A dyadic node: columns start..end (0-based, inclusive) at height h. */
export interface TreeNode {
  start: number;
  end: number;
  height: number;
}

/** Every dyadic node inside [0, n), ordered by end then height. */
export function treeNodes(n: number): TreeNode[] {
  const nodes: TreeNode[] = [];
  for (let end = 0; end < n; end++) {
    for (let h = 0; (end + 1) % 2 ** h === 0; h++) {
      nodes.push({ start: end + 1 - 2 ** h, end, height: h });
    }
  }
  return nodes;
}

/** The dense tree encoder R (nodes x n) and standard decoder L (n x nodes), for checks. */
export function denseTree(n: number): { L: Dense; R: Dense; nodes: TreeNode[] } {
  const nodes = treeNodes(n);
  const R = dense(nodes.length, n);
  nodes.forEach((node, i) => {
    for (let j = node.start; j <= node.end; j++) R.data[i * n + j] = 1;
  });
  const L = dense(n, nodes.length);
  for (let t = 1; t <= n; t++) {
    let covered = 0;
    for (const h of blockHeights(t).reverse()) {
      const start = covered;
      const end = covered + 2 ** h - 1;
      const index = nodes.findIndex((node) => node.start === start && node.end === end);
      L.data[(t - 1) * nodes.length + index] = 1;
      covered = end + 1;
    }
  }
  return { L, R, nodes };
}
