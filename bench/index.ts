// `npm run bench`: every benchmark, each printing ratios against a baseline
// measured in the same process. Pass names to run only some (core, rna, ...).
import { benchCore } from "./core.js";
import { type BenchRow, formatRows } from "./harness.js";

const suites: Record<string, { title: string; run: () => Promise<BenchRow[]> }> = {
  core: { title: "Core: training steps and Hessian-vector products", run: benchCore },
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
