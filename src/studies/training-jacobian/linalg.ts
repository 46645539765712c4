// Dense float64 linear algebra in plain TypeScript for the training Jacobian:
// the core symmetric eigensolver in descending order, the SVD of a square
// matrix through it, and principal angles between subspaces.
import { symmetricEigen } from "../../core/linalg.js";
import type { ColumnMatrix } from "./jacobian.js";

/**
 * The core's symmetric eigendecomposition in descending order: `values[i]`
 * with its unit eigenvector in row i of `vectors` (n x n, row-major). With
 * `vectors = false` only the values are computed (about four times faster).
 */
export function descendingEigen(
  matrix: Float64Array,
  n: number,
  vectors = true,
): { values: Float64Array; vectors: Float64Array } {
  const ascending = symmetricEigen(matrix, n, { vectors });
  const values = ascending.values.reverse();
  const rows = new Float64Array(vectors ? n * n : 0);
  for (let i = 0; vectors && i < n; i++) {
    const from = (n - 1 - i) * n;
    rows.set(ascending.vectors.subarray(from, from + n), i * n);
  }
  return { values, vectors: rows };
}

/** Singular value decomposition J = U diag(s) V^T; u_i and v_i are rows i of `u` and `v`. */
export interface Svd {
  n: number;
  s: Float64Array;
  u: Float64Array;
  v: Float64Array;
}

/**
 * SVD of a square column-major matrix through the eigenvectors of J^T J;
 * u_i = J v_i / s_i. Limitation: singular values below about
 * 1e-7 * s_max lose relative accuracy (squaring), and their u_i are noise.
 */
export function svdSquare(matrix: ColumnMatrix): Svd {
  const { n, data } = matrix;
  const eigen = descendingEigen(gramOfColumns(matrix), n);
  const s = eigen.values.map((x) => Math.sqrt(Math.max(x, 0)));
  const v = eigen.vectors;
  const u = new Float64Array(n * n);
  const floor = s[0] * 1e-300;
  for (let i = 0; i < n; i++) {
    const ui = i * n;
    for (let c = 0; c < n; c++) {
      const f = v[i * n + c];
      if (f === 0) continue;
      const col = c * n;
      for (let r = 0; r < n; r++) u[ui + r] += data[col + r] * f;
    }
    const scale = s[i] > floor ? 1 / s[i] : 0;
    for (let r = 0; r < n; r++) u[ui + r] *= scale;
  }
  return { n, s, u, v };
}

/** Singular values only (descending), from the eigenvalues of J^T J. */
export function singularValues(matrix: ColumnMatrix): Float64Array {
  return descendingEigen(gramOfColumns(matrix), matrix.n, false).values.map((x) =>
    Math.sqrt(Math.max(x, 0)),
  );
}

/** G[i, j] = <column i, column j> of a column-major square matrix. */
function gramOfColumns(matrix: ColumnMatrix): Float64Array {
  const { n, data } = matrix;
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ci = i * n;
    for (let j = i; j < n; j++) {
      const cj = j * n;
      let s = 0;
      for (let k = 0; k < n; k++) s += data[ci + k] * data[cj + k];
      gram[i * n + j] = s;
      gram[j * n + i] = s;
    }
  }
  return gram;
}

/**
 * Cosines of the principal angles between span(rows of a) and span(rows of b)
 * (each with orthonormal rows of length n), descending.
 */
export function principalCosines(
  a: Float64Array,
  rowsA: number,
  b: Float64Array,
  rowsB: number,
  n: number,
): Float64Array {
  const small = rowsA <= rowsB;
  const [x, nx, y, ny] = small ? [a, rowsA, b, rowsB] : [b, rowsB, a, rowsA];
  // M = X Y^T (nx x ny); cosines are sqrt(eig(M M^T))
  const m = new Float64Array(nx * ny);
  for (let i = 0; i < nx; i++) {
    for (let j = 0; j < ny; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += x[i * n + k] * y[j * n + k];
      m[i * ny + j] = s;
    }
  }
  const mmT = new Float64Array(nx * nx);
  for (let i = 0; i < nx; i++) {
    for (let j = i; j < nx; j++) {
      let s = 0;
      for (let k = 0; k < ny; k++) s += m[i * ny + k] * m[j * ny + k];
      mmT[i * nx + j] = s;
      mmT[j * nx + i] = s;
    }
  }
  return descendingEigen(mmT, nx, false).values.map((x) => Math.sqrt(Math.min(1, Math.max(0, x))));
}

/** Orthonormalises rows in place (modified Gram-Schmidt, twice); returns the rank kept. */
export function orthonormalRows(rows: Float64Array, count: number, n: number): number {
  let kept = 0;
  for (let i = 0; i < count; i++) {
    const ri = i * n;
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < kept; j++) {
        const rj = j * n;
        let dot = 0;
        for (let k = 0; k < n; k++) dot += rows[ri + k] * rows[rj + k];
        for (let k = 0; k < n; k++) rows[ri + k] -= dot * rows[rj + k];
      }
    }
    let norm = 0;
    for (let k = 0; k < n; k++) norm += rows[ri + k] * rows[ri + k];
    norm = Math.sqrt(norm);
    if (norm < 1e-12) continue;
    const dst = kept * n;
    for (let k = 0; k < n; k++) rows[dst + k] = rows[ri + k] / norm;
    kept++;
  }
  return kept;
}
