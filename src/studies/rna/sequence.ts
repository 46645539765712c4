// RNA sequences and dot-bracket structures: parsing, validation and pair types.
import { UsageError } from "../../core/errors.js";

/** Base codes as in ViennaRNA: A=1, C=2, G=3, U=4. */
export const BASES = "ACGU";

/** Pair type of bases (a, b), indexed [a * 5 + b]: CG=1 GC=2 GU=3 UG=4 AU=5 UA=6, else 0. */
export const PAIR_TYPE = (() => {
  const t = new Int8Array(25);
  const set = (a: string, b: string, type: number) => {
    t[(BASES.indexOf(a) + 1) * 5 + BASES.indexOf(b) + 1] = type;
  };
  set("C", "G", 1);
  set("G", "C", 2);
  set("G", "U", 3);
  set("U", "G", 4);
  set("A", "U", 5);
  set("U", "A", 6);
  return t;
})();

/** Type of the reversed pair: rtype[type(i, j)] = type(j, i). */
export const RTYPE = Int8Array.from([0, 2, 1, 4, 3, 6, 5, 7]);

/** Smallest hairpin loop (unpaired bases between the closing pair). */
export const MIN_HAIRPIN = 3;

/**
 * Reads an RNA sequence (upper or lower case, T read as U) into base codes 1..4. Throws a
 * UsageError naming the first bad character and its 1-based position.
 */
export function encodeSequence(text: string): Uint8Array {
  const seq = text.trim();
  if (seq.length === 0) throw new UsageError("the sequence is empty; give bases A, C, G, U (or T)");
  const out = new Uint8Array(seq.length);
  for (let i = 0; i < seq.length; i++) {
    const c = seq[i].toUpperCase();
    const code = c === "T" ? 4 : BASES.indexOf(c) + 1;
    if (code === 0) {
      throw new UsageError(
        `invalid character '${seq[i]}' at position ${i + 1} of the sequence; ` +
          "use only A, C, G, U (or T, read as U)",
      );
    }
    out[i] = code;
  }
  return out;
}

/** Turns base codes back into an upper-case RNA string. */
export function decodeSequence(seq: Uint8Array): string {
  let out = "";
  for (let i = 0; i < seq.length; i++) out += BASES[seq[i] - 1];
  return out;
}

/**
 * Parses a dot-bracket structure into a pair table: pt[i] = j if i pairs with j (0-based),
 * else -1. Throws a UsageError naming the position of an unbalanced bracket or a bad
 * character. Only "(", ")" and "." are accepted (pseudoknot brackets are not).
 */
export function parseStructure(text: string): Int32Array {
  const s = text.trim();
  if (s.length === 0) throw new UsageError("the structure is empty; give a dot-bracket string");
  const pt = new Int32Array(s.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "(") stack.push(i);
    else if (c === ")") {
      const j = stack.pop();
      if (j === undefined) {
        throw new UsageError(`unbalanced ')' at position ${i + 1} of the structure (no '(' open)`);
      }
      pt[i] = j;
      pt[j] = i;
    } else if (c !== ".") {
      throw new UsageError(
        `invalid character '${c}' at position ${i + 1} of the structure; use '(', ')' and '.'`,
      );
    }
  }
  if (stack.length > 0) {
    const open = stack[stack.length - 1];
    throw new UsageError(`unbalanced '(' at position ${open + 1} of the structure (never closed)`);
  }
  for (let i = 0; i < s.length; i++) {
    const j = pt[i];
    if (j > i && j - i - 1 < MIN_HAIRPIN) {
      throw new UsageError(
        `pair ${i + 1}-${j + 1} encloses fewer than ${MIN_HAIRPIN} unpaired bases ` +
          "(hairpins need at least 3)",
      );
    }
  }
  return pt;
}

/** Writes a pair table as dot-bracket. */
export function toDotBracket(pt: Int32Array): string {
  let out = "";
  for (let i = 0; i < pt.length; i++) out += pt[i] < 0 ? "." : pt[i] > i ? "(" : ")";
  return out;
}

/**
 * Checks a sequence against a structure: equal lengths and every pair canonical
 * (Watson-Crick or GU). Throws a UsageError naming the position otherwise.
 */
export function checkCompatible(seq: Uint8Array, pt: Int32Array): void {
  if (seq.length !== pt.length) {
    throw new UsageError(
      `the sequence has ${seq.length} bases but the structure has ${pt.length} positions; ` +
        "they must be equally long",
    );
  }
  for (let i = 0; i < pt.length; i++) {
    const j = pt[i];
    if (j > i && PAIR_TYPE[seq[i] * 5 + seq[j]] === 0) {
      throw new UsageError(
        `positions ${i + 1} and ${j + 1} (${BASES[seq[i] - 1]}-${BASES[seq[j] - 1]}) ` +
          "are paired in the structure but cannot pair; allowed pairs: AU, UA, GC, CG, GU, UG",
      );
    }
  }
}

/** Base pairs of a pair table as [i, j] with i < j (0-based). */
export function pairsOf(pt: Int32Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < pt.length; i++) if (pt[i] > i) out.push([i, pt[i]]);
  return out;
}
