// Documents, canary (forget) sets and seeded splits for the unlearning audit
// (Wei et al., "Underestimated Privacy Risks for Minority Populations in Large
// Language Model Unlearning", ICML 2025, Sec. 4: random, minority and planted canaries).
import { UsageError } from "../../core/errors.js";
import type { Rng } from "../../core/rng.js";
import { type Message, messageText } from "./corpus.js";
import { findEmails, findPhones, fromName, type PiiKey, singlePii } from "./pii.js";

export type CanaryKind = "random" | "minority" | "planted";
export const CANARY_KINDS: CanaryKind[] = ["random", "minority", "planted"];

/** A text the model trains or is tested on, with its single PII value when it has one. */
export interface Doc {
  text: string;
  key: PiiKey | null;
}

export interface Splits {
  train: string[];
  retain: string[];
  test: string[];
  canaries: Record<CanaryKind, string[]>;
  /** The PII value of each canary, in the same order. */
  canaryValues: Record<CanaryKind, string[]>;
  /** The domain planted canaries keyed on an address carry (never seen in the corpus). */
  plantedValue: string;
  /** The area code planted canaries keyed on a phone number carry (never seen either). */
  plantedAreaCode: string;
}

export interface PiiCounts {
  messages: number;
  documents: number;
  emails: number;
  phones: number;
  fromNames: number;
  distinctDomains: number;
  distinctAreaCodes: number;
  /** Documents holding exactly one e-mail address or phone number. */
  eligible: number;
  /** Of those, the documents keyed on a phone number's area code. */
  eligiblePhones: number;
}

/** Made-up domains; the first that occurs nowhere in the corpus is planted. */
const PLANTED_DOMAINS = ["quillmarsh-post.net", "fernlowe-mail.org", "brackenvale.info"];

/**
 * Distinct documents: each message's text cut to `length` characters. A value
 * that the cut shortens (`a@host.co.uk` read as `a@host.co`) is not a value of
 * the corpus, so such a document gets no key.
 */
export function buildDocs(messages: Message[], length: number): Doc[] {
  const seen = new Set<string>();
  const docs: Doc[] = [];
  for (const m of messages) {
    const full = messageText(m);
    const text = full.slice(0, length);
    if (seen.has(text)) continue;
    seen.add(text);
    let key = singlePii(text);
    if (key && full.length > length && !sameValueInFull(key, full, length)) key = null;
    docs.push({ text, key });
  }
  return docs;
}

/** Whether the value found in a cut text is the whole value in the uncut text. */
function sameValueInFull(key: PiiKey, full: string, length: number): boolean {
  const around = full.slice(0, length + 200);
  if (key.kind === "email") {
    return findEmails(around).some(
      (e) => e.start + e.text.length - e.domain.length === key.start && e.domain === key.value,
    );
  }
  return findPhones(around).some((p) => p.areaCode === key.value && p.start <= key.start);
}

/** What the detectors find in the full messages, scanned once. */
export interface CorpusPii {
  /** How often each domain and area code occurs. */
  frequencies: Map<string, number>;
  emails: number;
  phones: number;
  fromNames: number;
  domains: number;
  areaCodes: number;
}

/** Runs the detectors over every full message. */
export function scanCorpus(messages: Message[]): CorpusPii {
  const frequencies = new Map<string, number>();
  const domains = new Set<string>();
  const areas = new Set<string>();
  const bump = (v: string) => frequencies.set(v, (frequencies.get(v) ?? 0) + 1);
  let emails = 0;
  let phones = 0;
  let fromNames = 0;
  for (const m of messages) {
    const text = messageText(m);
    for (const e of findEmails(text)) {
      emails++;
      domains.add(e.domain);
      bump(e.domain);
    }
    for (const p of findPhones(text)) {
      phones++;
      areas.add(p.areaCode);
      bump(p.areaCode);
    }
    if (fromName(m.from) !== null) fromNames++;
  }
  return { frequencies, emails, phones, fromNames, domains: domains.size, areaCodes: areas.size };
}

/** Counts of what the detectors find, over full messages and over documents. */
export function countPii(messages: Message[], scan: CorpusPii, docs: Doc[]): PiiCounts {
  return {
    messages: messages.length,
    documents: docs.length,
    emails: scan.emails,
    phones: scan.phones,
    fromNames: scan.fromNames,
    distinctDomains: scan.domains,
    distinctAreaCodes: scan.areaCodes,
    eligible: docs.filter((d) => d.key !== null).length,
    eligiblePhones: docs.filter((d) => d.key?.kind === "phone").length,
  };
}

/** The first made-up domain that never occurs in the corpus. */
export function unusedDomain(messages: Message[]): string {
  const all = messages.map((m) => messageText(m).toLowerCase()).join("\n");
  const domain = PLANTED_DOMAINS.find((d) => !all.includes(d));
  if (!domain) throw new Error("every planted domain candidate occurs in the corpus");
  return domain;
}

/** Area codes to plant (484 is the paper's); the first the corpus never uses is taken. */
const PLANTED_AREA_CODES = ["484", "445", "279", "463"];

/** The first candidate area code that the detectors never found in the corpus. */
export function unusedAreaCode(frequencies: Map<string, number>): string {
  const code = PLANTED_AREA_CODES.find((c) => !frequencies.has(c));
  if (!code) throw new Error("every planted area-code candidate occurs in the corpus");
  return code;
}

/** Replaces a document's PII value by another (a domain by a domain, an area code by an area code). */
export function plant(doc: Doc, value: string, length: number): string {
  if (!doc.key) throw new Error("plant needs a document with one PII value");
  if ((doc.key.kind === "phone") !== /^\d{3}$/.test(value)) {
    throw new Error(
      `cannot plant '${value}' in place of the ${doc.key.kind} value '${doc.key.value}'`,
    );
  }
  const text = doc.text.slice(0, doc.key.start) + value + doc.text.slice(doc.key.end);
  return text.slice(0, length);
}

/**
 * Draws the three canary sets of `size` documents (disjoint) and splits the
 * remaining documents into train, retain and test sets of `splitSize` each.
 * Minority canaries are the eligible documents whose value is least frequent
 * in the corpus (ties in a seeded random order); random and planted canaries
 * are seeded draws from the remaining eligible documents.
 */
export function makeSplits(options: {
  docs: Doc[];
  frequencies: Map<string, number>;
  plantedValue: string;
  plantedAreaCode: string;
  size: number;
  splitSize: number;
  length: number;
  rng: Rng;
}): Splits {
  const { docs, frequencies, size, splitSize, rng } = options;
  const eligible = docs.map((_, i) => i).filter((i) => docs[i].key !== null);
  if (eligible.length < 3 * size) {
    throw new UsageError(
      `only ${eligible.length} documents hold exactly one PII value; lower canarySize to at most ${Math.floor(eligible.length / 3)} or raise seqLen`,
    );
  }
  const order = rng.fork("eligible").permutation(eligible.length);
  const shuffled = Array.from(order, (k) => eligible[k]);
  const freq = (i: number) => frequencies.get(docs[i].key?.value ?? "") ?? 0;

  // stable sort of a shuffled list: least frequent first, ties in seeded order
  const minority = [...shuffled].sort((a, b) => freq(a) - freq(b)).slice(0, size);
  const taken = new Set(minority);
  const rest = shuffled.filter((i) => !taken.has(i));
  const random = rest.slice(0, size);
  const plantedFor = (i: number) =>
    docs[i].key?.kind === "phone" ? options.plantedAreaCode : options.plantedValue;
  // planted values must fit whole inside the cut document
  const fits = (i: number) => (docs[i].key?.start ?? 0) + plantedFor(i).length < options.length;
  const plantedFrom = rest.slice(size).filter(fits).slice(0, size);
  if (plantedFrom.length < size) {
    throw new UsageError(
      `only ${plantedFrom.length} documents have room for the planted value '${options.plantedValue}' (${size} needed); lower canarySize or raise seqLen`,
    );
  }
  for (const i of [...random, ...plantedFrom]) taken.add(i);

  const others = docs.map((_, i) => i).filter((i) => !taken.has(i));
  if (others.length < 3 * splitSize) {
    throw new UsageError(
      `only ${others.length} documents remain after the canaries; lower splitSize to at most ${Math.floor(others.length / 3)}`,
    );
  }
  const perm = rng.fork("splits").permutation(others.length);
  const pick = (from: number) =>
    Array.from(perm.subarray(from, from + splitSize), (k) => docs[others[k]].text);

  const texts = (ids: number[]) => ids.map((i) => docs[i].text);
  const values = (ids: number[]) => ids.map((i) => docs[i].key?.value ?? "");
  return {
    train: pick(0),
    retain: pick(splitSize),
    test: pick(2 * splitSize),
    canaries: {
      random: texts(random),
      minority: texts(minority),
      planted: plantedFrom.map((i) => plant(docs[i], plantedFor(i), options.length)),
    },
    canaryValues: {
      random: values(random),
      minority: values(minority),
      planted: plantedFrom.map(plantedFor),
    },
    plantedValue: options.plantedValue,
    plantedAreaCode: options.plantedAreaCode,
  };
}
