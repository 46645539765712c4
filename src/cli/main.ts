// The `descent` command: list, run, report, tour, and the studies' tools.
import { writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { UsageError } from "../core/errors.js";
import { escapeHtml } from "../core/report/html.js";
import {
  loadRun,
  makeDir,
  parseConfig,
  readMetrics,
  runStudy,
  writeReport,
} from "../core/run-folder.js";
import type { Study } from "../core/study.js";
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

/** A seed: a whole number in [0, 2^32), so that distinct seeds give distinct streams. */
function seedOption(value: unknown): number {
  const seed = numberOption(value, "seed", 0);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new UsageError(
      `--seed must be a whole number from 0 to 4294967295, got '${String(value)}'`,
    );
  }
  return seed;
}

/** The settings of a study with their values in a preset, one per line. */
function settingsText(study: Study, preset: "quick" | "full"): string {
  const config = parseConfig(study, preset, {});
  const lines: string[] = [];
  const walk = (node: unknown, prefix: string) => {
    if (typeof node === "object" && node !== null && !Array.isArray(node)) {
      for (const [key, value] of Object.entries(node))
        walk(value, prefix ? `${prefix}.${key}` : key);
    } else lines.push(`  ${prefix} = ${JSON.stringify(node)}`);
  };
  walk(config, "");
  return lines.join("\n");
}

function unknownStudy(name: string): UsageError {
  const names = studies.map((s) => s.name).join(", ");
  return new UsageError(`unknown study '${name}'; known studies: ${names}`);
}

async function commandRun(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(
    argv,
    { boolean: ["quick", "json", "help"], string: ["out", "seed", "workers"], multiple: ["set"] },
    "descent run",
  );
  if (options.help && positionals.length === 0) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      "descent run needs exactly one study name, e.g. 'descent run eos --quick'",
    );
  }
  const study = findStudy(positionals[0]);
  if (!study) throw unknownStudy(positionals[0]);
  if (options.help) {
    process.stdout.write(
      `descent run ${study.name}: ${study.summary}\nFollows ${study.paper}.\n\nsettings (--set key=value), full preset:\n${settingsText(study, "full")}\n\nquick preset (--quick):\n${settingsText(study, "quick")}\n`,
    );
    return 0;
  }
  const overrides = parseSets((options.set as string[] | undefined) ?? []);
  if (options.workers !== undefined) {
    // studies that run clients through the executor take a `workers` setting
    const defaults = parseConfig(study, "full", {}) as Record<string, unknown>;
    if (!Object.hasOwn(defaults, "workers")) {
      const able = studies.filter((s) =>
        Object.hasOwn(parseConfig(s, "full", {}) as object, "workers"),
      );
      throw new UsageError(
        `'${study.name}' runs in one thread; --workers applies to ${able.map((s) => s.name).join(", ") || "no study"}`,
      );
    }
    overrides.workers = numberOption(options.workers, "workers");
  }
  const config = parseConfig(study, options.quick ? "quick" : "full", overrides);
  const seed = seedOption(options.seed);
  const result = await runStudy(study, config, {
    parent: (options.out as string | undefined) ?? "runs",
    seed,
    progress: makeProgress(process.stderr, `${study.name} `),
    onStart: (dir) => process.stderr.write(`${study.name}: run folder ${dir}\n`),
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
  const { positionals, options } = parseArgs(argv, { boolean: ["help"] }, "descent report");
  if (options.help) {
    process.stdout.write(
      "descent report <runDir>: rewrite report.html from the folder's config, summary and metrics\n",
    );
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("descent report needs one run folder");
  const dir = resolve(positionals[0]);
  const { studyName, config, summary } = loadRun(dir);
  const study = findStudy(studyName);
  if (!study) throw unknownStudy(studyName);
  const parsed = study.config.safeParse(config);
  if (!parsed.success) {
    throw new UsageError(
      `${join(dir, "config.json")} does not hold a valid '${study.name}' config; rerun the study`,
    );
  }
  let path: string;
  try {
    path = await writeReport(study, dir, summary, readMetrics(dir), parsed.data);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `could not build the report from ${join(dir, "summary.json")} (${(error as Error).message}); it may come from another version of '${study.name}': rerun the study`,
    );
  }
  process.stdout.write(`report: ${path}\n`);
  return 0;
}

async function commandTour(argv: string[]): Promise<number> {
  const { options } = parseArgs(
    argv,
    { boolean: ["quick", "help"], string: ["out", "seed", "only"] },
    "descent tour",
  );
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const seed = seedOption(options.seed);
  const only = options.only === undefined ? null : String(options.only).split(",");
  for (const name of only ?? []) if (!findStudy(name)) throw unknownStudy(name);
  const chosen = studies.filter((study) => only === null || only.includes(study.name));
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");
  const root = resolve((options.out as string | undefined) ?? join("runs", `tour-${stamp}`));
  makeDir(root);
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

function commandList(argv: string[]): number {
  const { positionals } = parseArgs(argv, {}, "descent list");
  if (positionals.length)
    throw new UsageError(`descent list takes no arguments, got '${positionals[0]}'`);
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
        if (command === undefined) {
          process.stderr.write(USAGE);
          return 2;
        }
        process.stdout.write(USAGE);
        return 0;
      case "list":
        return commandList(rest);
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
    if (error instanceof Error) {
      // the message may carry notes added after the stack was formatted
      const frames = (error.stack ?? "")
        .split("\n")
        .filter((line) => line.trimStart().startsWith("at "));
      process.stderr.write(`descent: error: ${error.message}\n${frames.join("\n")}\n`);
    } else {
      process.stderr.write(`descent: error: ${String(error)}\n`);
    }
    return 1;
  }
}
