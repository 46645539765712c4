// `npm run bench`: every benchmark, each printing ratios against a baseline
// measured in the same process (or, for RNA folding, the ViennaRNA figures
// measured on this machine). Pass names to run only some: core, rna, omnisr, counting.
import { benchContinualCounting } from "./continual-counting.js";
import { benchCore } from "./core.js";
import { formatRows, withRatios } from "./harness.js";
import { benchOmnisr } from "./omnisr.js";
import { benchRna } from "./rna.js";

type Rows = Record<string, unknown>[];

const suites: Record<string, { title: string; run: () => Promise<Rows> }> = {
  core: {
    title:
      "Core: training steps and Hessian-vector products (ratio = ours / baseline, lower is faster)",
    run: async () => withRatios(await benchCore()),
  },
  rna: {
    title: "RNA folding at 400 nt (ratio = ours / ViennaRNA 2.6.4)",
    run: async () => (await benchRna()) as unknown as Rows,
  },
  omnisr: {
    title: "Omnidirectional SR: convolution as im2col against the engine's convolution and TF.js",
    run: async () => withRatios(await benchOmnisr()),
  },
  counting: {
    title: "Continual counting at n = 10^4, d = 1000: binned against exact sqrt(A)",
    run: async () => (await benchContinualCounting()) as unknown as Rows,
  },
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in suites));
if (unknown.length) {
  process.stderr.write(
    `unknown benchmark ${unknown.join(", ")}; known: ${Object.keys(suites).join(", ")}\n`,
  );
  process.exit(2);
}
for (const [name, suite] of Object.entries(suites)) {
  if (wanted.length && !wanted.includes(name)) continue;
  process.stderr.write(`bench: ${name}...\n`);
  const rows = await suite.run();
  process.stdout.write(`${formatRows(suite.title, rows)}\n`);
}
