// Dense float64 linear algebra in plain TypeScript: the symmetric eigenproblem
// (Householder tridiagonalisation, then implicit QL with Wilkinson-style
// shifts), the SVD of a square matrix through it, and principal angles.
// Eigenvectors are kept as rows so every update touches contiguous memory.
import type { ColumnMatrix } from "./jacobian.js";

/** Eigen-decomposition: `values` descending, eigenvector i in row i of `vectors` (n x n). */
export interface Eigen {
  n: number;
  values: Float64Array;
  vectors: Float64Array;
}

/**
 * Eigenvalues and vectors of a symmetric matrix (row-major n x n; not
 * modified). With `vectors: false` only the values are computed (about 3x faster).
 */
export function symmetricEigen(matrix: Float64Array, n: number, vectors = true): Eigen {
  const a = Float64Array.from(matrix);
  const diag = new Float64Array(n);
  const off = new Float64Array(n);
  const betas = new Float64Array(n);

  // Householder: row k right of the diagonal is reflected onto e1; the
  // reflector v (v[0] = 1 implicit in storage as given) is kept in row k.
  for (let k = 0; k < n - 2; k++) {
    const row = k * n;
    let norm2 = 0;
    for (let j = k + 2; j < n; j++) norm2 += a[row + j] * a[row + j];
    const x0 = a[row + k + 1];
    if (norm2 === 0) {
      off[k] = x0;
      betas[k] = 0;
      continue;
    }
    const alpha = x0 >= 0 ? -Math.sqrt(x0 * x0 + norm2) : Math.sqrt(x0 * x0 + norm2);
    const v0 = x0 - alpha;
    // v = (1, x[1:] / v0), beta = 2 / (v^T v)
    a[row + k + 1] = 1;
    for (let j = k + 2; j < n; j++) a[row + j] /= v0;
    let vv = 1;
    for (let j = k + 2; j < n; j++) vv += a[row + j] * a[row + j];
    const beta = 2 / vv;
    betas[k] = beta;
    off[k] = alpha;

    // p = beta A22 v;  w = p - (beta/2)(p.v) v;  A22 -= v w^T + w v^T
    const m0 = k + 1;
    const p = new Float64Array(n);
    for (let i = m0; i < n; i++) {
      let s = 0;
      const ri = i * n;
      for (let j = m0; j < n; j++) s += a[ri + j] * a[row + j];
      p[i] = beta * s;
    }
    let pv = 0;
    for (let i = m0; i < n; i++) pv += p[i] * a[row + i];
    const half = 0.5 * beta * pv;
    for (let i = m0; i < n; i++) p[i] -= half * a[row + i];
    for (let i = m0; i < n; i++) {
      const ri = i * n;
      const vi = a[row + i];
      const wi = p[i];
      for (let j = m0; j < n; j++) a[ri + j] -= vi * p[j] + wi * a[row + j];
    }
  }
  for (let k = 0; k < n; k++) diag[k] = a[k * n + k];
  if (n >= 2) off[n - 2] = a[(n - 2) * n + n - 1];
  off[n - 1] = 0;

  // Q^T = H_{n-3} ... H_0, applied to the identity row block by row block
  const z = new Float64Array(vectors ? n * n : 0);
  for (let i = 0; i < z.length; i += n + 1) z[i] = 1;
  const w = new Float64Array(n);
  for (let k = 0; vectors && k < n - 2; k++) {
    const beta = betas[k];
    if (beta === 0) continue;
    const row = k * n;
    w.fill(0);
    for (let i = k + 1; i < n; i++) {
      const vi = a[row + i];
      const ri = i * n;
      for (let j = 0; j < n; j++) w[j] += vi * z[ri + j];
    }
    for (let i = k + 1; i < n; i++) {
      const f = beta * a[row + i];
      const ri = i * n;
      for (let j = 0; j < n; j++) z[ri + j] -= f * w[j];
    }
  }

  tridiagonalQl(diag, off, vectors ? z : null, n);

  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => diag[j] - diag[i]);
  const values = new Float64Array(n);
  const rows = new Float64Array(vectors ? n * n : 0);
  order.forEach((src, dst) => {
    values[dst] = diag[src];
    if (vectors) rows.set(z.subarray(src * n, (src + 1) * n), dst * n);
  });
  return { n, values, vectors: rows };
}

/** Implicit QL on a tridiagonal matrix (diag d, off-diagonal e[i] = T[i, i+1]); rotates rows of z. */
function tridiagonalQl(d: Float64Array, e: Float64Array, z: Float64Array | null, n: number): void {
  for (let l = 0; l < n; l++) {
    let iterations = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd) break;
      }
      if (m === l) break;
      if (++iterations > 60) throw new Error("symmetric eigensolver did not converge");
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        if (!z) continue;
        const ri = i * n;
        const rj = ri + n;
        for (let k = 0; k < n; k++) {
          const zi = z[ri + k];
          const zj = z[rj + k];
          z[rj + k] = s * zi + c * zj;
          z[ri + k] = c * zi - s * zj;
        }
      }
      if (underflow) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
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
  const eigen = symmetricEigen(gramOfColumns(matrix), n);
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
  return symmetricEigen(gramOfColumns(matrix), matrix.n, false).values.map((x) =>
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
  return symmetricEigen(mmT, nx).values.map((x) => Math.sqrt(Math.min(1, Math.max(0, x))));
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
