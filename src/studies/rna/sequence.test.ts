// Input validation (positions in the messages) and the parameter file reader.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { UsageError } from "../../core/errors.js";
import { DEFAULT_PARAMS_PATH, INF, parseParams, turner2004 } from "./params.js";
import {
  checkCompatible,
  decodeSequence,
  encodeSequence,
  parseStructure,
  toDotBracket,
} from "./sequence.js";

test("sequences: any case, T read as U", () => {
  assert.equal(decodeSequence(encodeSequence(" acgTU ")), "ACGUU");
});

test("bad sequences and structures are rejected with the position", () => {
  const throwsWith = (fn: () => unknown, pattern: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof UsageError && pattern.test(e.message));
  throwsWith(() => encodeSequence("ACGNA"), /'N' at position 4/);
  throwsWith(() => encodeSequence(""), /empty/);
  throwsWith(() => parseStructure("((...)))"), /'\)' at position 8/);
  throwsWith(() => parseStructure("(((...))"), /'\(' at position 1/);
  throwsWith(() => parseStructure("((..[..))"), /'\[' at position 5/);
  throwsWith(() => parseStructure("((.))"), /pair 2-4 encloses fewer than 3/);
  throwsWith(
    () => checkCompatible(encodeSequence("GGGAAACC"), parseStructure("(((...)))")),
    /8 bases .* 9 positions/,
  );
  throwsWith(
    () => checkCompatible(encodeSequence("GAGAAACCC"), parseStructure("(((...)))")),
    /positions 2 and 8 \(A-C\)/,
  );
  assert.equal(toDotBracket(parseStructure("((..((...))..))")), "((..((...))..))");
});

test("Turner 2004 tables land where ViennaRNA looks them up", () => {
  const P = turner2004();
  // stack[CG][CG] and stack[GC][GC] (types 1 and 2), first and second rows of '# stack'
  assert.equal(P.stack[1 * 8 + 1], -240);
  assert.equal(P.stack[2 * 8 + 2], -340);
  assert.equal(P.hairpin[3], 540);
  assert.equal(P.hairpin[0], INF);
  assert.equal(P.bulge[1], 380);
  assert.equal(P.interior[4], 110);
  // mismatch_hairpin row 'CG,G' column G
  assert.equal(P.mismatchHairpin[(1 * 5 + 3) * 5 + 3], -240);
  // int22 rows 'CG,CG,A,A,A' and 'CG,CG,A,A,G', column G
  assert.equal(P.int22[((((1 * 8 + 1) * 5 + 1) * 5 + 1) * 5 + 1) * 5 + 3], 20);
  assert.equal(P.int22[((((1 * 8 + 1) * 5 + 1) * 5 + 1) * 5 + 3) * 5 + 3], -70);
  assert.deepEqual(
    [P.mlBase, P.mlClosing, P.mlIntern, P.ninio, P.maxNinio, P.terminalAU],
    [0, 930, -90, 60, 300, 50],
  );
  assert.equal(P.tetraloops.size, 16);
  assert.equal(P.tetraloops.get("CUUCGG"), 370);
  assert.equal(P.triloops.get("CAACG"), 680);
  assert.equal(P.hexaloops.size, 4);
});

test("a damaged parameter file is refused with the section named", () => {
  const text = readFileSync(DEFAULT_PARAMS_PATH, "utf8");
  assert.throws(() => parseParams("hello"), /must start with/);
  const cut = text.replace(/# hairpin\n[\s\S]*?\n\n/, "# hairpin\n 1 2 3\n\n");
  assert.throws(() => parseParams(cut), /section 'hairpin' has 3 values, expected 31/);
});

const cli = (...args: string[]) =>
  spawnSync(
    process.execPath,
    [fileURLToPath(new URL("../../../bin/descent.mjs", import.meta.url)), "rna", ...args],
    {
      encoding: "utf8",
    },
  );

test("CLI: fold --json and eval, and exit code 2 with the position on bad input", () => {
  const fold = cli("fold", "gggaaaccc", "--json");
  assert.equal(fold.status, 0, fold.stderr);
  const out = JSON.parse(fold.stdout);
  assert.deepEqual(Object.keys(out), [
    "sequence",
    "structure",
    "mfe",
    "ensembleEnergy",
    "mfeProbability",
  ]);
  assert.equal(out.structure, "(((...)))");
  assert.equal(out.mfe, -1.2);
  // ViennaRNA 2.6.4: ensemble energy -1.61919636, MFE frequency 0.506536288
  assert.ok(Math.abs(out.ensembleEnergy + 1.61919636) < 1e-6);
  assert.ok(Math.abs(out.mfeProbability - 0.506536288) < 1e-6);
  const ev = cli("eval", "GGGAAACCC", "(((...)))");
  assert.equal(ev.status, 0, ev.stderr);
  assert.match(ev.stdout, /^GGGAAACCC\n\(\(\(\.\.\.\)\)\) \( -1\.20\)\n/);
  const bad = cli("eval", "GGGAAACCC", "(((..)))).");
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /position/);
});
