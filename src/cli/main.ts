// The `descent` command: list, run, report, tour, and the studies' tools.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { UsageError } from "../core/errors.js";
import { escapeHtml } from "../core/report/html.js";
import { loadRun, parseConfig, readMetrics, runStudy, writeReport } from "../core/run-folder.js";
import { findStudy, studies } from "../studies/index.js";
import { numberOption, parseArgs, parseSets } from "./args.js";
import { makeProgress } from "./progress.js";
import { tools } from "./tools.js";

const USAGE = `descent: gradient-based optimisation and the research built on it

usage:
  descent list                                   the studies and tools
  descent run <study> [--quick] [--set k=v ...] [--seed N] [--out DIR] [--json] [--workers N]
  descent report <runDir>                        rewrite a run's report.html
  descent tour [--quick] [--out DIR] [--only a,b] every study (or some), one index page
  descent <tool> ...                             a study's tool (see 'descent list')
`;

function unknownStudy(name: string): UsageError {
  const names = studies.map((s) => s.name).join(", ");
  return new UsageError(`unknown study '${name}'; known studies: ${names}`);
}

async function commandRun(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(
    argv,
    { boolean: ["quick", "json"], string: ["out", "seed", "workers"], multiple: ["set"] },
    "descent run",
  );
  if (positionals.length !== 1) {
    throw new UsageError(
      "descent run needs exactly one study name, e.g. 'descent run eos --quick'",
    );
  }
  const study = findStudy(positionals[0]);
  if (!study) throw unknownStudy(positionals[0]);
  const overrides = parseSets((options.set as string[] | undefined) ?? []);
  if (options.workers !== undefined) {
    // studies that run clients through the executor take a `workers` setting
    overrides.workers = numberOption(options.workers, "workers");
  }
  const config = parseConfig(study, options.quick ? "quick" : "full", overrides);
  const seed = numberOption(options.seed, "seed", 0);
  const result = await runStudy(study, config, {
    parent: (options.out as string | undefined) ?? "runs",
    seed,
    progress: makeProgress(process.stderr, `${study.name} `),
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result.summary)}\n`);
  } else {
    process.stdout.write(
      `${study.name}: done\nrun folder: ${result.dir}\nreport: ${result.reportPath}\n`,
    );
  }
  return 0;
}

async function commandReport(argv: string[]): Promise<number> {
  const { positionals } = parseArgs(argv, {}, "descent report");
  if (positionals.length !== 1) throw new UsageError("descent report needs one run folder");
  const dir = resolve(positionals[0]);
  const { studyName, config, summary } = loadRun(dir);
  const study = findStudy(studyName);
  if (!study) throw unknownStudy(studyName);
  const path = await writeReport(study, dir, summary, readMetrics(dir), config);
  process.stdout.write(`report: ${path}\n`);
  return 0;
}

async function commandTour(argv: string[]): Promise<number> {
  const { options } = parseArgs(
    argv,
    { boolean: ["quick"], string: ["out", "seed", "only"] },
    "descent tour",
  );
  const only = options.only === undefined ? null : String(options.only).split(",");
  for (const name of only ?? []) if (!findStudy(name)) throw unknownStudy(name);
  const chosen = studies.filter((study) => only === null || only.includes(study.name));
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");
  const root = resolve((options.out as string | undefined) ?? join("runs", `tour-${stamp}`));
  mkdirSync(root, { recursive: true });
  const seed = numberOption(options.seed, "seed", 0);
  const rows: string[] = [];
  let failures = 0;
  for (const study of chosen) {
    const started = Date.now();
    const dir = join(root, study.name);
    process.stderr.write(`tour: ${study.name} (${options.quick ? "quick" : "full"})\n`);
    try {
      const config = parseConfig(study, options.quick ? "quick" : "full", {});
      await runStudy(study, config, {
        parent: root,
        dir,
        seed,
        progress: makeProgress(process.stderr, `${study.name} `),
      });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stderr.write(`tour: ${study.name} done in ${seconds} s\n`);
      rows.push(
        `<tr><td><a href="${study.name}/report.html">${escapeHtml(study.name)}</a></td><td>${escapeHtml(study.summary)}</td><td>${seconds} s</td><td>ok</td></tr>`,
      );
    } catch (error) {
      failures++;
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`tour: ${study.name} failed: ${message}\n`);
      rows.push(
        `<tr><td>${escapeHtml(study.name)}</td><td>${escapeHtml(study.summary)}</td><td></td><td>failed: ${escapeHtml(message)}</td></tr>`,
      );
    }
  }
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>descent tour</title>
<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto}td,th{border:1px solid #ccc;padding:.3em .6em}table{border-collapse:collapse}</style></head>
<body><h1>descent tour${options.quick ? " (quick presets)" : ""}</h1><p>${new Date().toISOString()}, seed ${seed}</p>
<table><thead><tr><th>study</th><th>what it shows</th><th>time</th><th>status</th></tr></thead><tbody>${rows.join("\n")}</tbody></table></body></html>\n`;
  const index = join(root, "index.html");
  writeFileSync(index, html);
  process.stdout.write(
    `tour: ${chosen.length - failures} of ${chosen.length} studies ran\nindex: ${relative(process.cwd(), index)}\n`,
  );
  return failures === 0 ? 0 : 1;
}

function commandList(): number {
  process.stdout.write("studies:\n");
  for (const study of studies)
    process.stdout.write(`  ${study.name.padEnd(22)} ${study.summary}\n`);
  process.stdout.write("tools:\n");
  for (const tool of tools) process.stdout.write(`  ${tool.name.padEnd(22)} ${tool.summary}\n`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      case "list":
        return commandList();
      case "run":
        return await commandRun(rest);
      case "report":
        return await commandReport(rest);
      case "tour":
        return await commandTour(rest);
      default: {
        const tool = tools.find((t) => t.name === command);
        if (!tool) {
          const names = ["list", "run", "report", "tour", ...tools.map((t) => t.name)].join(", ");
          throw new UsageError(`unknown command '${command}'; commands are ${names}`);
        }
        if (rest[0] === "--help" || rest[0] === "-h" || rest.length === 0) {
          process.stdout.write(tool.usage);
          return rest.length === 0 ? 2 : 0;
        }
        return await tool.run(rest);
      }
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`descent: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`descent: error: ${message}\n`);
    return 1;
  }
}
