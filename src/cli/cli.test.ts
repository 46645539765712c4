import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseArgs, parseSets } from "./args.js";

const bin = join(import.meta.dirname, "..", "..", "bin", "descent.mjs");

function descent(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("argument parsing: flags, values, repeated --set, unknown options", () => {
  const parsed = parseArgs(
    ["eos", "--quick", "--set", "a.b=2", "--set=c=[1,2]", "--out", "x"],
    {
      boolean: ["quick"],
      string: ["out"],
      multiple: ["set"],
    },
    "t",
  );
  assert.deepEqual(parsed.positionals, ["eos"]);
  assert.equal(parsed.options.quick, true);
  assert.equal(parsed.options.out, "x");
  assert.deepEqual(parseSets(parsed.options.set as string[]), { a: { b: 2 }, c: [1, 2] });
  assert.deepEqual(parseSets(["m=0.5,0.9", "name=abc", "flag=true"]), {
    m: [0.5, 0.9],
    name: "abc",
    flag: true,
  });
  assert.throws(
    () => parseArgs(["--bogus"], { boolean: ["quick"] }, "t"),
    /unknown option '--bogus'; options are --quick/,
  );
  assert.throws(() => parseSets(["novalue"]), /--set expects key=value/);
});

test("usage errors exit 2 with a message that names the fix", () => {
  const unknown = descent("run", "nope");
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown study 'nope'; known studies: .*eos/);
  const badKey = descent("run", "eos", "--quick", "--set", "diagonal.stepz=5");
  assert.equal(badKey.code, 2);
  assert.match(badKey.stderr, /unknown setting 'diagonal.stepz'.*known settings: .*diagonal.steps/);
  const badValue = descent("run", "eos", "--set", "diagonal.alpha=-1");
  assert.equal(badValue.code, 2);
  assert.match(badValue.stderr, /invalid config for 'eos': diagonal.alpha/);
  const badOption = descent("run", "eos", "--fast");
  assert.equal(badOption.code, 2);
  assert.match(badOption.stderr, /unknown option '--fast'/);
  const badCommand = descent("frobnicate");
  assert.equal(badCommand.code, 2);
  assert.match(
    badCommand.stderr,
    /unknown command 'frobnicate'; commands are list, run, report, tour/,
  );
  const missing = descent("report", "/nonexistent/run");
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /config.json not found: pass a run folder made by 'descent run'/);
});

test("descent run --json prints the summary and writes a complete run folder", () => {
  const out = mkdtempSync(join(tmpdir(), "descent-cli-"));
  const result = descent(
    "run",
    "eos",
    "--quick",
    "--json",
    "--out",
    out,
    "--set",
    "mlp.enabled=false",
    "--set",
    "diagonal.steps=3000",
    "--set",
    "diagonal.smallSteps=3000",
  );
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  const run = summary.diagonal.runs[0];
  for (const key of [
    "stepSize",
    "twoOverEta",
    "sharpnessMax",
    "sharpnessFinalMean",
    "lossFinal",
    "monotoneLoss",
    "interpolationError",
    "l1Norm",
  ]) {
    assert.ok(key in run, `summary run lacks ${key}`);
  }
  assert.ok(summary.diagonal.l1NormMinimum > 0);
  const dirs = readFileSync(join(out, readdirFirst(out), "config.json"), "utf8");
  const config = JSON.parse(dirs);
  assert.equal(config.seed, 0);
  assert.ok(config.versions["@jax-js/jax"]);
  const dir = join(out, readdirFirst(out));
  for (const file of ["metrics.jsonl", "summary.json", "report.html"])
    assert.ok(existsSync(join(dir, file)), file);
  const html = readFileSync(join(dir, "report.html"), "utf8");
  assert.ok((html.match(/<svg/g) ?? []).length >= 3, "report has its plots inline");
  const again = descent("report", dir);
  assert.equal(again.code, 0, again.stderr);
});

function readdirFirst(dir: string): string {
  return readdirSync(dir)[0];
}

test("descent tour --only runs the named studies and links their reports from index.html", () => {
  const out = mkdtempSync(join(tmpdir(), "descent-tour-"));
  const bad = descent("tour", "--only", "eos,nope", "--out", out);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown study 'nope'/);
  const result = descent("tour", "--quick", "--only", "eos", "--out", out);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /tour: 1 of 1 studies ran/);
  const index = readFileSync(join(out, "index.html"), "utf8");
  assert.match(index, /href="eos\/report.html"/);
  assert.ok(existsSync(join(out, "eos", "report.html")));
});

test("--set rejects prototype keys; seeds must be whole numbers in range", () => {
  assert.throws(() => parseSets(["__proto__.x=1"]), /'__proto__' is not a setting name/);
  assert.throws(() => parseSets(["a.constructor=1"]), /'constructor' is not a setting name/);
  assert.equal(({} as Record<string, unknown>).x, undefined);
  const seed = descent("run", "eos", "--seed", "1.5");
  assert.equal(seed.code, 2);
  assert.match(seed.stderr, /--seed must be a whole number/);
  const help = descent("run", "eos", "--help");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /diagonal\.steps = 20000/);
});
