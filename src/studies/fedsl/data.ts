// MNIST split across clients: IID, or label-skewed by a Dirichlet(alpha)
// draw of each class's share per client (the usual federated benchmark).
import type { Rng } from "../../core/rng.js";

/** A Gamma(shape, 1) draw (Marsaglia-Tsang; shape < 1 boosted by U^(1/shape)). */
export function gamma(shape: number, rng: Rng): number {
  if (shape < 1) return gamma(shape + 1, rng) * rng.uniform() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x = 0;
    let v = 0;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A Dirichlet(alpha, ..., alpha) draw of length k. */
export function dirichlet(alpha: number, k: number, rng: Rng): number[] {
  const g = Array.from({ length: k }, () => gamma(alpha, rng));
  const total = g.reduce((a, b) => a + b, 0);
  return g.map((x) => x / total);
}

/**
 * Splits sample indices among `clients`: "iid" deals a random permutation
 * round-robin; "dirichlet" gives each class's samples to clients in
 * proportions drawn from Dirichlet(alpha). Every client gets at least one sample.
 */
export function partition(
  labels: Int32Array,
  clients: number,
  scheme: "iid" | "dirichlet",
  alpha: number,
  rng: Rng,
): number[][] {
  const parts: number[][] = Array.from({ length: clients }, () => []);
  const order = rng.permutation(labels.length);
  if (scheme === "iid") {
    order.forEach((row, i) => {
      parts[i % clients].push(row);
    });
    return parts;
  }
  const classes = Math.max(...labels) + 1;
  for (let c = 0; c < classes; c++) {
    const rows = [...order].filter((r) => labels[r] === c);
    const shares = dirichlet(alpha, clients, rng);
    let start = 0;
    let cumulative = 0;
    shares.forEach((share, k) => {
      cumulative += share;
      const end = k === clients - 1 ? rows.length : Math.round(cumulative * rows.length);
      parts[k].push(...rows.slice(start, end));
      start = end;
    });
  }
  // a client left empty borrows one sample from the largest
  for (const part of parts) {
    if (part.length > 0) continue;
    const largest = parts.reduce((a, b) => (b.length > a.length ? b : a));
    part.push(largest.pop() as number);
  }
  return parts;
}
