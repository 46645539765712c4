// Benchmark for the continual-counting study: building the binned sqrt(A)
// factorisation (Algorithm 1 plus the exact R = L^{-1} A sensitivity) at n = 10^4,
// and streaming n steps of a d-dimensional vector through the binned counter
// against the exact sqrt(A) counter in the same run: time and noise memory.
import { buildBinned, makeCounter } from "../src/studies/continual-counting/counters.js";
import { CryptoSource } from "../src/studies/continual-counting/noise.js";

export interface ContinualCountingBenchRow {
  name: string;
  /** Wall time of the step, in milliseconds. */
  ms: number;
  /** Floats of noise state the counter held at its peak (0 for the build row). */
  noiseFloats: number;
  /** The most typed-array + heap bytes above the starting level, sampled while it ran. */
  peakBytes: number;
  /** Largest number of bins in a row (binned rows only). */
  space?: number;
  /** Noise-memory ratio sqrt / binned, and time ratio sqrt / binned (on the binned stream row). */
  memoryRatio?: number;
  timeRatio?: number;
}

function usedBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Runs `work`, sampling memory through `sample` calls; returns time and peak bytes above the start. */
function measure<T>(work: (sample: () => void) => T): { result: T; ms: number; peakBytes: number } {
  const start = usedBytes();
  let peak = start;
  const sample = () => {
    peak = Math.max(peak, usedBytes());
  };
  const began = performance.now();
  const result = work(sample);
  const ms = performance.now() - began;
  sample();
  return { result, ms, peakBytes: Math.max(0, peak - start) };
}

function streamRows(
  mechanism: "binned" | "sqrt",
  n: number,
  dim: number,
  binning?: ReturnType<typeof buildBinned>,
) {
  const x = new Float64Array(dim).fill(0.5);
  return measure((sample) => {
    const counter = makeCounter({
      mechanism,
      horizon: n,
      dim,
      noiseMultiplier: 1,
      random: new CryptoSource(),
      binning,
    });
    let checksum = 0;
    for (let t = 0; t < n; t++) {
      checksum += counter.add(x)[0];
      if (t % 100 === 0) sample();
    }
    return { peakNoiseFloats: counter.peakNoiseMemoryFloats, checksum };
  });
}

/**
 * The benchmark entry: rows for building the binned matrix and for streaming
 * `n` steps of a `dim`-vector through the binned and the exact sqrt(A) counters.
 */
export async function benchContinualCounting(
  options: { n?: number; dim?: number; d?: number } = {},
): Promise<ContinualCountingBenchRow[]> {
  const n = options.n ?? 10000;
  const dim = options.dim ?? 1000;
  const d = options.d ?? 8;

  const build = measure(() => buildBinned(n, { alpha: 1, beta: 0 }, { d }));
  const binning = build.result;
  const binned = streamRows("binned", n, dim, binning);
  const sqrt = streamRows("sqrt", n, dim);

  return [
    {
      name: `build binned sqrt(A), n=${n}, d=${d} (bins + exact R = L^-1 A)`,
      ms: build.ms,
      noiseFloats: 0,
      peakBytes: build.peakBytes,
      space: binning.matrix.space,
    },
    {
      name: `stream binned, n=${n} steps, dim=${dim}`,
      ms: binned.ms,
      noiseFloats: binned.result.peakNoiseFloats,
      peakBytes: binned.peakBytes,
      space: binning.matrix.space,
      memoryRatio: sqrt.result.peakNoiseFloats / binned.result.peakNoiseFloats,
      timeRatio: sqrt.ms / binned.ms,
    },
    {
      name: `stream exact sqrt(A), n=${n} steps, dim=${dim}`,
      ms: sqrt.ms,
      noiseFloats: sqrt.result.peakNoiseFloats,
      peakBytes: sqrt.peakBytes,
    },
  ];
}

/** The shape the other benchmarks use: `bench()` returning rows. */
export const bench = benchContinualCounting;

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchContinualCounting();
  for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
}
