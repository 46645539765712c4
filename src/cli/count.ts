// `descent count errors|stream`: error analysis of continual-counting mechanisms
// and private prefix sums of a stream of numbers read one per line.
import { createReadStream, existsSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { UsageError } from "../core/errors.js";
import { binToeplitz } from "../studies/continual-counting/binning.js";
import type { MechanismName, StreamingCounter } from "../studies/continual-counting/counters.js";
import {
  buildBinned,
  MECHANISMS,
  makeCounter,
  mechanismProfile,
} from "../studies/continual-counting/counters.js";
import { errorsOf } from "../studies/continual-counting/errors.js";
import { calibrate } from "../studies/continual-counting/privacy.js";
import type { Workload } from "../studies/continual-counting/toeplitz.js";
import { PREFIX_SUMS, sqrtWorkloadCoefficients } from "../studies/continual-counting/toeplitz.js";
import { treeLevels } from "../studies/continual-counting/tree.js";
import { numberOption, parseArgs } from "./args.js";
import type { CliTool } from "./tool.js";

const USAGE = `descent count: private continual counting (Andersson & Pagh, SaTML 2025)

usage:
  descent count errors --n N [--mechanism M] [--d D | --space S] [--alpha A --beta B] [--json]
      MaxSE, MeanSE and space (noise floats kept per coordinate) of a mechanism at
      noise multiplier 1 (rho = 1/2 zCDP, neighbouring streams differ by 1 in one entry).
  descent count stream (--epsilon E --delta D | --rho R) [--mechanism M] [--n N] [--d D]
      [--sensitivity S] [--integer] [--json] [FILE]
      Reads one number per line from FILE (or stdin) and writes the private prefix sum
      after each line. Every value must satisfy |x| <= S (default 1). With --n, lines are
      processed as they arrive and at most N are accepted; without it, the whole input is
      read first and N is its line count. --integer takes integers and adds discrete
      Gaussian noise (independent, tree, tree-honaker only). Noise comes from the
      operating system's CSPRNG.

mechanisms: ${MECHANISMS.join(", ")} (default binned, d = 8: c = 1 - 1/d, tau = 1/n)
`;

/** Where the tool writes (tests swap these to capture its output). */
export const countOutput = {
  stdout: (text: string): void => {
    process.stdout.write(text);
  },
  stderr: (text: string): void => {
    process.stderr.write(text);
  },
};

function mechanismOption(value: unknown): MechanismName {
  const name = (value ?? "binned") as string;
  if (!(MECHANISMS as readonly string[]).includes(name)) {
    throw new UsageError(`--mechanism must be one of ${MECHANISMS.join(", ")}; got '${name}'`);
  }
  return name as MechanismName;
}

function positiveInteger(value: unknown, name: string, fallback?: number): number {
  const n = numberOption(value, name, fallback);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a whole number >= 1, got ${String(value)}`);
  return n;
}

function dOption(value: unknown): number {
  const d = numberOption(value, "d", 8);
  if (!(d > 1))
    throw new UsageError(`--d must be greater than 1 (c = 1 - 1/d), got ${String(value)}`);
  return d;
}

/** The largest integer d >= 2 whose binned matrix fits in `space` bins per row. */
function dForSpace(n: number, workload: Workload, space: number): number {
  const s = sqrtWorkloadCoefficients(n, workload);
  let best: number | null = null;
  let over = 0;
  for (let d = 2; d <= 1000 && over < 8; d++) {
    if (binToeplitz(s, 1 - 1 / d, 1 / n).space <= space) {
      best = d;
      over = 0;
    } else {
      over++;
    }
  }
  if (best === null)
    throw new UsageError(
      `no binning of n=${n} fits in space ${space}: the smallest (d=2) needs more; raise --space`,
    );
  return best;
}

/** Noise floats kept per coordinate while streaming. */
function spaceOf(mechanism: MechanismName, n: number, binnedSpace: number): number {
  switch (mechanism) {
    case "independent":
      return 1;
    case "tree":
    case "tree-honaker":
      return treeLevels(n);
    case "sqrt":
      return n;
    case "binned":
      return binnedSpace;
  }
}

async function errors(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(
    argv,
    { boolean: ["json"], string: ["n", "mechanism", "d", "space", "alpha", "beta"] },
    "descent count errors",
  );
  if (positionals.length)
    throw new UsageError(
      `descent count errors takes no positional arguments; got '${positionals[0]}'`,
    );
  const n = positiveInteger(options.n, "n");
  if (n > 20000)
    throw new UsageError(`--n ${n} is too large for the exact error analysis here (at most 20000)`);
  const mechanism = mechanismOption(options.mechanism);
  if (n < 2 && mechanism === "binned") {
    throw new UsageError("--mechanism binned needs --n 2 or more; use --mechanism sqrt for n = 1");
  }
  const workload = {
    alpha: numberOption(options.alpha, "alpha", 1),
    beta: numberOption(options.beta, "beta", 0),
  };
  if ((options.d !== undefined || options.space !== undefined) && mechanism !== "binned") {
    throw new UsageError("--d and --space apply to --mechanism binned only");
  }
  if (options.d !== undefined && options.space !== undefined)
    throw new UsageError("give --d or --space, not both");
  let d: number | null = null;
  let binnedSpace = 0;
  let profile: ReturnType<typeof mechanismProfile>;
  if (mechanism === "binned") {
    d =
      options.space !== undefined
        ? dForSpace(n, workload, positiveInteger(options.space, "space"))
        : dOption(options.d);
    const binned = buildBinned(n, workload, { d });
    binnedSpace = binned.matrix.space;
    profile = binned.profile;
  } else {
    profile = mechanismProfile(mechanism, n, { workload });
  }
  const result = errorsOf(profile);
  const space = spaceOf(mechanism, n, binnedSpace);
  const out = {
    mechanism,
    n,
    alpha: workload.alpha,
    beta: workload.beta,
    ...(d === null ? {} : { d, c: 1 - 1 / d, tau: 1 / n }),
    maxSe: result.maxSe,
    meanSe: result.meanSe,
    space,
    sens2: result.sens2,
  };
  if (options.json) {
    countOutput.stdout(`${JSON.stringify(out)}\n`);
  } else {
    const lines = [
      `mechanism ${mechanism}, n = ${n}${isWorkloadDefault(workload) ? "" : `, alpha = ${workload.alpha}, beta = ${workload.beta}`}${d === null ? "" : `, d = ${d} (c = ${(1 - 1 / d).toPrecision(6)}, tau = 1/n)`}`,
      `MaxSE   ${result.maxSe.toPrecision(8)}   (max_t ||L_t||^2 x ||R||_1->2^2, noise multiplier 1)`,
      `MeanSE  ${result.meanSe.toPrecision(8)}   (||L||_F^2 / n x ||R||_1->2^2)`,
      `sens^2  ${result.sens2.toPrecision(8)}   (||R||_1->2^2)`,
      `space   ${space}   (noise floats kept per coordinate while streaming)`,
    ];
    countOutput.stdout(`${lines.join("\n")}\n`);
  }
  return 0;
}

function isWorkloadDefault(workload: Workload): boolean {
  return workload.alpha === PREFIX_SUMS.alpha && workload.beta === PREFIX_SUMS.beta;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** Parses one input line, or throws a UsageError naming the line. */
export function parseStreamLine(
  line: string,
  lineNumber: number,
  integer: boolean,
  sensitivity: number,
): number {
  const text = line.trim();
  if (text === "")
    throw new UsageError(`line ${lineNumber}: empty line; write 0 for a zero element`);
  if (!(integer ? INTEGER : DECIMAL).test(text)) {
    throw new UsageError(
      `line ${lineNumber}: '${text.slice(0, 40)}' is not ${integer ? "an integer (--integer)" : "a decimal number"}`,
    );
  }
  const value = Number(text);
  if (!Number.isFinite(value))
    throw new UsageError(`line ${lineNumber}: '${text.slice(0, 40)}' is out of range`);
  if (integer && !Number.isSafeInteger(value))
    throw new UsageError(`line ${lineNumber}: ${text} is too large an integer`);
  if (Math.abs(value) > sensitivity) {
    throw new UsageError(
      `line ${lineNumber}: |${text}| exceeds --sensitivity ${sensitivity}; raise --sensitivity (more noise) or clip the data first`,
    );
  }
  return value;
}

async function* lines(path: string | undefined): AsyncGenerator<string> {
  if (path !== undefined && !existsSync(path)) throw new UsageError(`no such file '${path}'`);
  if (path !== undefined && statSync(path).isDirectory()) {
    throw new UsageError(`'${path}' is a folder; give a file with one number per line`);
  }
  const input = path === undefined ? process.stdin : createReadStream(path, { encoding: "utf8" });
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of reader) yield line;
}

const STREAM_LIMIT_FACTORED = 20000;
const STREAM_LIMIT = 1_000_000;

async function stream(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(
    argv,
    {
      boolean: ["json", "integer"],
      string: ["epsilon", "delta", "rho", "mechanism", "n", "d", "sensitivity"],
    },
    "descent count stream",
  );
  if (positionals.length > 1)
    throw new UsageError("descent count stream reads one FILE (or stdin); got more");
  const mechanism = mechanismOption(options.mechanism);
  const integer = Boolean(options.integer);
  const calibration = calibrate({
    rho: options.rho === undefined ? undefined : numberOption(options.rho, "rho"),
    epsilon: options.epsilon === undefined ? undefined : numberOption(options.epsilon, "epsilon"),
    delta: options.delta === undefined ? undefined : numberOption(options.delta, "delta"),
  });
  const sensitivity = numberOption(options.sensitivity, "sensitivity", 1);
  if (!(sensitivity > 0))
    throw new UsageError(`--sensitivity must be positive, got ${String(options.sensitivity)}`);
  if (options.d !== undefined && mechanism !== "binned")
    throw new UsageError("--d applies to --mechanism binned only");
  const d = dOption(options.d);
  if (integer && !["independent", "tree", "tree-honaker"].includes(mechanism)) {
    throw new UsageError(
      `--integer (discrete Gaussian noise) needs an integer encoder: use --mechanism tree, tree-honaker or independent (${mechanism} has a real-valued R)`,
    );
  }

  const source = lines(positionals[0]);
  let horizon: number;
  let buffered: number[] | null = null;
  if (options.n !== undefined) {
    horizon = positiveInteger(options.n, "n");
  } else {
    buffered = [];
    let lineNumber = 0;
    for await (const line of source)
      buffered.push(parseStreamLine(line, ++lineNumber, integer, sensitivity));
    if (buffered.length === 0)
      throw new UsageError("the input has no lines; give one number per line");
    horizon = buffered.length;
  }
  // Setting up the binned factorisation costs O(n * space) time and the exact
  // sqrt(A) counter holds n noise values; both are tested up to n = 20000.
  const limit =
    mechanism === "binned" || mechanism === "sqrt" ? STREAM_LIMIT_FACTORED : STREAM_LIMIT;
  if (horizon > limit) {
    throw new UsageError(
      `a stream of n = ${horizon} is too long for --mechanism ${mechanism} here (at most ${limit}); ${mechanism === "binned" || mechanism === "sqrt" ? `use --mechanism tree or tree-honaker (up to ${STREAM_LIMIT})` : "split the stream"}`,
    );
  }
  if (horizon < 2 && mechanism === "binned") {
    throw new UsageError(
      "--mechanism binned needs a stream of at least 2 values; use --mechanism sqrt for one value",
    );
  }
  const counter: StreamingCounter = makeCounter({
    mechanism,
    horizon,
    noiseMultiplier: calibration.noiseMultiplier,
    sensitivity,
    noise: integer ? "discrete-gaussian" : "gaussian",
    binning: mechanism === "binned" ? { d } : undefined,
  });
  const noiseLabel = `${counter.noise === "gaussian" ? "Gaussian" : "discrete Gaussian (CKS'20 sampler)"} from the ${counter.randomKind === "crypto" ? "OS CSPRNG" : "seeded generator"}`;
  const header = `privacy: ${calibration.conversion}\nmechanism: ${mechanism}, n = ${horizon}, sensitivity ${sensitivity}, noise: ${noiseLabel}, noise std per entry ${Math.sqrt(counter.noiseVariance).toPrecision(6)}\n`;
  if (!options.json) countOutput.stderr(header);

  const outputs: number[] = [];
  const emit = (value: number) => {
    if (options.json) outputs.push(value);
    else countOutput.stdout(`${value}\n`);
  };
  if (buffered) {
    for (const value of buffered) emit(counter.add(value)[0]);
  } else {
    let lineNumber = 0;
    for await (const line of source) {
      lineNumber++;
      const value = parseStreamLine(line, lineNumber, integer, sensitivity);
      if (lineNumber > horizon) {
        throw new UsageError(
          `line ${lineNumber}: the stream is longer than --n ${horizon}; raise --n`,
        );
      }
      emit(counter.add(value)[0]);
    }
  }
  if (options.json) {
    countOutput.stdout(
      `${JSON.stringify({
        mechanism,
        n: horizon,
        steps: counter.steps,
        epsilon: calibration.epsilon ?? null,
        delta: calibration.delta ?? null,
        rho: calibration.rho,
        noiseMultiplier: calibration.noiseMultiplier,
        conversion: calibration.conversion,
        noise: counter.noise,
        random: counter.randomKind,
        noiseStd: Math.sqrt(counter.noiseVariance),
        peakNoiseMemoryFloats: counter.peakNoiseMemoryFloats,
        prefixSums: outputs,
      })}\n`,
    );
  }
  return 0;
}

export const countTool: CliTool = {
  name: "count",
  summary: "private continual counting: error analysis and private prefix sums of a stream",
  usage: USAGE,
  async run(argv) {
    const [command, ...rest] = argv;
    switch (command) {
      case "errors":
        return errors(rest);
      case "stream":
        return stream(rest);
      default:
        throw new UsageError(
          `unknown subcommand '${command}'; use 'descent count errors' or 'descent count stream'`,
        );
    }
  },
};
