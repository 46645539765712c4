// Folding-engine speed on random 400-nt sequences: MFE and partition function with pair
// probabilities, against the ViennaRNA 2.6.4 figures measured on this machine for the issue
// (RNAfold: 0.25 s MFE, 0.7 s with -p). ratio = ours / ViennaRNA (below 2 meets the goal).
import { Rng } from "../src/core/rng.js";
import { defaultModel } from "../src/studies/rna/fold.js";
import { mfe } from "../src/studies/rna/mfe.js";
import { partition } from "../src/studies/rna/partition.js";

export interface RnaBenchRow {
  name: string;
  /** Median wall-clock seconds. */
  seconds: number;
  /** Median CPU seconds of this process (less sensitive to other load on a shared machine). */
  cpuSeconds: number;
  baseline?: string;
  /** seconds / ViennaRNA's seconds. */
  ratio?: number;
  /** cpuSeconds / ViennaRNA's seconds: the fairer figure when the machine is shared. */
  cpuRatio?: number;
}

const VIENNA_MFE_SECONDS = 0.25;
const VIENNA_PF_SECONDS = 0.7;

function randomSequence(rng: Rng, n: number): Uint8Array {
  const S = new Uint8Array(n);
  for (let i = 0; i < n; i++) S[i] = 1 + rng.int(4);
  return S;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median wall and CPU seconds of fn over the sequences (after one warm-up call). */
function time(fn: (S: Uint8Array) => unknown, sequences: Uint8Array[]): [number, number] {
  fn(sequences[0]);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (const S of sequences) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    fn(S);
    const used = process.cpuUsage(startCpu);
    cpu.push((used.user + used.system) / 1e6);
    wall.push((performance.now() - start) / 1000);
  }
  return [median(wall), median(cpu)];
}

/** Times MFE and MFE + partition function + pair probabilities (RNAfold -p) at 400 nt. */
export async function benchRna(repeats = 5): Promise<RnaBenchRow[]> {
  const rng = new Rng(400);
  const sequences = Array.from({ length: repeats }, () => randomSequence(rng, 400));
  const model = defaultModel(2);
  const [mfeSeconds, mfeCpu] = time((S) => mfe(model, S), sequences);
  const [pfSeconds, pfCpu] = time((S) => {
    mfe(model, S);
    return partition(model, S);
  }, sequences);
  return [
    {
      name: "rna: MFE, random 400 nt",
      seconds: mfeSeconds,
      cpuSeconds: mfeCpu,
      baseline: `ViennaRNA 2.6.4 RNAfold ${VIENNA_MFE_SECONDS} s`,
      ratio: mfeSeconds / VIENNA_MFE_SECONDS,
      cpuRatio: mfeCpu / VIENNA_MFE_SECONDS,
    },
    {
      name: "rna: MFE + partition function + pair probabilities, random 400 nt",
      seconds: pfSeconds,
      cpuSeconds: pfCpu,
      baseline: `ViennaRNA 2.6.4 RNAfold -p ${VIENNA_PF_SECONDS} s`,
      ratio: pfSeconds / VIENNA_PF_SECONDS,
      cpuRatio: pfCpu / VIENNA_PF_SECONDS,
    },
  ];
}

/** The conventional entry point for bench/index.ts. */
export const bench = benchRna;

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await benchRna()) console.log(JSON.stringify(row));
}
