// Radix-2 complex FFT on Float64Arrays, used to apply a lower-triangular
// Toeplitz matrix to many noise columns at once (causal convolution).

/** In-place FFT of (re, im), length a power of two; `inverse` scales by 1/N. */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const angle = ((inverse ? 2 : -2) * Math.PI) / size;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    const half = size >> 1;
    for (let start = 0; start < n; start += size) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < half; k++) {
        const a = start + k;
        const b = a + half;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
        const next = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = next;
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < n; i++) {
      re[i] /= n;
      im[i] /= n;
    }
  }
}

/**
 * Replaces every column of the row-major n x d matrix `z` by its causal
 * convolution with `s` (out_t = sum_{k <= t} s_{t-k} z_k), two columns per complex
 * FFT (one in the real part, one in the imaginary part, as `s` is real).
 */
export function convolveColumns(s: Float64Array, z: Float64Array, n: number, d: number): void {
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const kernelRe = new Float64Array(size);
  const kernelIm = new Float64Array(size);
  kernelRe.set(s.subarray(0, n));
  fft(kernelRe, kernelIm);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let col = 0; col < d; col += 2) {
    const pair = col + 1 < d;
    re.fill(0);
    im.fill(0);
    for (let t = 0; t < n; t++) {
      re[t] = z[t * d + col];
      if (pair) im[t] = z[t * d + col + 1];
    }
    fft(re, im);
    for (let k = 0; k < size; k++) {
      const r = re[k] * kernelRe[k] - im[k] * kernelIm[k];
      im[k] = re[k] * kernelIm[k] + im[k] * kernelRe[k];
      re[k] = r;
    }
    fft(re, im, true);
    for (let t = 0; t < n; t++) {
      z[t * d + col] = re[t];
      if (pair) z[t * d + col + 1] = im[t];
    }
  }
}
