// The `descent count` tool: line validation and end-to-end runs of the CLI.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { countOutput, countTool, parseStreamLine } from "../../cli/count.js";
import { UsageError } from "../../core/errors.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

test("stream lines: numbers parse, bad lines are rejected by line number", () => {
  assert.equal(parseStreamLine(" 0.25 ", 1, false, 1), 0.25);
  assert.equal(parseStreamLine("-1e-3", 2, false, 1), -0.001);
  assert.equal(parseStreamLine("3", 3, true, 5), 3);
  const cases: [string, boolean, RegExp][] = [
    ["", false, /line 7: empty line/],
    ["abc", false, /line 7: 'abc' is not a decimal number/],
    ["0x10", false, /line 7/],
    ["1,5", false, /line 7/],
    ["NaN", false, /line 7/],
    ["1.5", true, /line 7: '1.5' is not an integer/],
    ["2", false, /line 7: \|2\| exceeds --sensitivity 1/],
    ["1e999", false, /line 7: .* out of range/],
  ];
  for (const [line, integer, pattern] of cases) {
    assert.throws(
      () => parseStreamLine(line, 7, integer, 1),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match((error as Error).message, pattern);
        return true;
      },
    );
  }
});

/** Runs `descent count ...` in this process, capturing what the tool writes; usage errors exit 2. */
async function inProcess(
  args: string[],
): Promise<{ status: number; stdout: string; stderr: string }> {
  assert.equal(args[0], "count");
  const captured = { stdout: "", stderr: "" };
  const saved = { ...countOutput };
  countOutput.stdout = (text) => {
    captured.stdout += text;
  };
  countOutput.stderr = (text) => {
    captured.stderr += text;
  };
  try {
    const status = await countTool.run(args.slice(1));
    return { status, ...captured };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return {
      status: 2,
      stdout: captured.stdout,
      stderr: `${captured.stderr}descent: ${error.message}\n`,
    };
  } finally {
    Object.assign(countOutput, saved);
  }
}

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "count-"));
  const path = join(dir, "stream.txt");
  writeFileSync(path, text);
  return path;
}

test("count errors --json prints the reference sqrt(A) and binned values", async () => {
  const sqrt = await inProcess(["count", "errors", "--n", "1024", "--mechanism", "sqrt", "--json"]);
  assert.equal(sqrt.status, 0, sqrt.stderr);
  const a = JSON.parse(sqrt.stdout);
  assert.ok(Math.abs(a.maxSe / 10.70961066646986 - 1) < 1e-9);
  assert.ok(Math.abs(a.meanSe / 9.670793265309396 - 1) < 1e-9);
  assert.equal(a.space, 1024);
  const binned = JSON.parse(
    (
      await inProcess([
        "count",
        "errors",
        "--n",
        "1024",
        "--mechanism",
        "binned",
        "--d",
        "8",
        "--json",
      ])
    ).stdout,
  );
  assert.equal(binned.space, 23);
  assert.ok(Math.abs(binned.maxSe / 10.712988014179832 - 1) < 1e-9);
  const bySpace = JSON.parse(
    (
      await inProcess([
        "count",
        "errors",
        "--n",
        "1024",
        "--mechanism",
        "binned",
        "--space",
        "13",
        "--json",
      ])
    ).stdout,
  );
  assert.ok(bySpace.space <= 13);
  const bad = await inProcess(["count", "errors", "--n", "0"]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--n must be a whole number/);
  const wrong = await inProcess([
    "count",
    "errors",
    "--n",
    "10",
    "--mechanism",
    "sqrt",
    "--d",
    "4",
  ]);
  assert.equal(wrong.status, 2);
});

test("count stream writes one prefix sum per line and rejects a bad line with exit 2", async () => {
  const ok = await inProcess([
    "count",
    "stream",
    "--rho",
    "2",
    "--mechanism",
    "tree",
    "--json",
    file("1\n0\n1\n1\n"),
  ]);
  assert.equal(ok.status, 0, ok.stderr);
  const out = JSON.parse(ok.stdout);
  assert.equal(out.prefixSums.length, 4);
  assert.equal(out.random, "crypto");
  assert.equal(out.noise, "gaussian");
  assert.equal(out.noiseMultiplier, 0.5);
  const bad = await inProcess([
    "count",
    "stream",
    "--epsilon",
    "1",
    "--delta",
    "1e-6",
    file("1\n0\nx1\n"),
  ]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /line 3: 'x1' is not a decimal number/);
  assert.equal(
    bad.stdout,
    "",
    "nothing is released when the input is read whole and a line is bad",
  );
  const long = await inProcess(["count", "stream", "--rho", "1", "--n", "2", file("1\n0\n1\n")]);
  assert.equal(long.status, 2);
  assert.match(long.stderr, /line 3: the stream is longer than --n 2/);
  assert.equal(long.stdout.trim().split("\n").length, 2, "the two accepted lines were released");
  const integer = await inProcess([
    "count",
    "stream",
    "--rho",
    "1",
    "--mechanism",
    "sqrt",
    "--integer",
    file("1\n"),
  ]);
  assert.equal(integer.status, 2);
  assert.match(integer.stderr, /integer encoder/);
  const missing = await inProcess(["count", "stream", "--rho", "1", "/nonexistent/stream.txt"]);
  assert.equal(missing.status, 2);
});

test("count stream reads stdin (one end-to-end run of the command)", () => {
  const result = spawnSync(
    process.execPath,
    ["bin/descent.mjs", "count", "stream", "--rho", "1", "--mechanism", "sqrt"],
    {
      cwd: root,
      input: "1\n0\n-0.5\n",
      encoding: "utf8",
    },
  );
  assert.equal(result.status, 0, result.stderr);
  const values = result.stdout.trim().split("\n").map(Number);
  assert.equal(values.length, 3);
  for (const v of values) assert.ok(Number.isFinite(v));
  assert.match(result.stderr, /rho=1 zCDP -> noise multiplier sigma = 1\/sqrt\(2 rho\) = 0.707107/);
});
