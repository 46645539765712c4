import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../../core/errors.js";
import { Rng } from "../../core/rng.js";
import {
  buildDocs,
  makeSplits,
  plant,
  scanCorpus,
  unusedAreaCode,
  unusedDomain,
} from "./canaries.js";
import { configSchema } from "./config.js";
import type { Message } from "./corpus.js";
import { loadCorpus } from "./corpus.js";
import { singlePii } from "./pii.js";

/** A synthetic corpus: 300 messages, domain d<k> used k+1 times for k < 20, plus common ones. */
function syntheticCorpus(): Message[] {
  const messages: Message[] = [];
  let id = 0;
  for (let k = 0; k < 20; k++) {
    for (let r = 0; r <= k; r++) {
      messages.push({
        id: `t/${id}`,
        spam: false,
        from: `U${id} <u${id}@d${k}.org>`,
        subject: `note ${id}`,
        body: "",
      });
      id++;
    }
  }
  while (id < 300) {
    messages.push({
      id: `t/${id}`,
      spam: false,
      from: `V${id} <v${id}@common.com>`,
      subject: `news ${id}`,
      body: id % 7 === 0 ? "call 212-555-0100" : "",
    });
    id++;
  }
  return messages;
}

function splitsFor(messages: Message[], seed: number) {
  const docs = buildDocs(messages, 64);
  const scan = scanCorpus(messages);
  return makeSplits({
    docs,
    frequencies: scan.frequencies,
    plantedValue: unusedDomain(messages),
    plantedAreaCode: unusedAreaCode(scan.frequencies),
    size: 5,
    splitSize: 60,
    length: 64,
    rng: new Rng(seed),
  });
}

test("canary selection is a function of the seed, and seeds differ", () => {
  const messages = syntheticCorpus();
  const a = splitsFor(messages, 3);
  const b = splitsFor(messages, 3);
  const c = splitsFor(messages, 4);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.canaries.random, c.canaries.random);
  assert.notDeepEqual(a.train, c.train);
});

test("minority canaries hold the rarest domains; sets and splits are disjoint", () => {
  const s = splitsFor(splitsCorpus(), 11);
  // d0 (1 use), then d1 (2 uses), then d2 (3 uses) are the five rarest slots
  const counts = new Map<string, number>();
  for (const v of s.canaryValues.minority) counts.set(v, (counts.get(v) ?? 0) + 1);
  assert.deepEqual([...counts.entries()].sort(), [
    ["d0.org", 1],
    ["d1.org", 2],
    ["d2.org", 2],
  ]);
  const all = [
    ...s.train,
    ...s.retain,
    ...s.test,
    ...s.canaries.random,
    ...s.canaries.minority,
    ...s.canaries.planted,
  ];
  assert.equal(new Set(all).size, all.length);
  assert.equal(s.train.length, 60);
  assert.equal(s.retain.length, 60);
  assert.equal(s.test.length, 60);
  for (const text of s.canaries.planted) {
    assert.ok(
      text.includes(`@${s.plantedValue}>`) || text.includes(`call ${s.plantedAreaCode}-555`),
      text,
    );
  }
  const real = makeSplits({
    docs: buildDocs(loadCorpus(), 64),
    frequencies: new Map(),
    plantedValue: "quillmarsh-post.net",
    plantedAreaCode: "484",
    size: 50,
    splitSize: 300,
    length: 64,
    rng: new Rng(2),
  });
  for (const text of real.canaries.planted) assert.ok(text.includes("quillmarsh-post.net"), text);
  for (const text of [...s.train, ...s.test]) assert.ok(!text.includes(s.plantedValue));
});

function splitsCorpus(): Message[] {
  return syntheticCorpus();
}

test("plant replaces only the value; a value cut by the length gives no key", () => {
  const [doc] = buildDocs(
    [{ id: "x/1", spam: false, from: "A <a@old.net>", subject: "s", body: "b" }],
    64,
  );
  assert.equal(plant(doc, "new-domain.org", 64), "From: A <a@new-domain.org>\nSubject: s\n\nb");
  assert.throws(() => plant(doc, "484", 64), /cannot plant '484' in place of the email value/);
  const [phoneDoc] = buildDocs(
    [{ id: "x/3", spam: false, from: "A <a@old.net>", subject: "s", body: "tel (212) 555-0100" }],
    64,
  );
  assert.deepEqual(phoneDoc.key && [phoneDoc.key.kind, phoneDoc.key.value], ["phone", "212"]);
  assert.equal(plant(phoneDoc, "484", 64), "From: A <a@old.net>\nSubject: s\n\ntel (484) 555-0100");
  const [cut] = buildDocs(
    [{ id: "x/2", spam: false, from: "A <a@host.company>", subject: "s", body: "" }],
    20,
  );
  assert.equal(cut.text, "From: A <a@host.comp");
  // the detector alone would take the cut "host.comp" for a domain
  assert.equal(singlePii(cut.text)?.value, "host.comp");
  assert.equal(cut.key, null);
});

test("on the real corpus: planted value unused, minority values no more frequent than random ones", () => {
  const messages = loadCorpus();
  const docs = buildDocs(messages, 64);
  const scan = scanCorpus(messages);
  const planted = unusedDomain(messages);
  assert.equal(scan.frequencies.get(planted), undefined);
  const options = {
    docs,
    frequencies: scan.frequencies,
    plantedValue: planted,
    plantedAreaCode: unusedAreaCode(scan.frequencies),
    size: 50,
    splitSize: 400,
    length: 64,
  };
  const a = makeSplits({ ...options, rng: new Rng(5) });
  const b = makeSplits({ ...options, rng: new Rng(5) });
  assert.deepEqual(a.canaries, b.canaries);
  const freq = (v: string) => scan.frequencies.get(v) ?? 0;
  const worstMinority = Math.max(...a.canaryValues.minority.map(freq));
  const medianRandom = a.canaryValues.random.map(freq).sort((x, y) => x - y)[25];
  assert.ok(worstMinority <= medianRandom, `${worstMinority} vs ${medianRandom}`);
  assert.ok(scan.emails > 10000 && scan.phones > 100, `${scan.emails} ${scan.phones}`);
});

test("bad sizes are usage errors that name the fix", () => {
  const messages = syntheticCorpus();
  const base = {
    docs: buildDocs(messages, 64),
    frequencies: scanCorpus(messages).frequencies,
    plantedValue: "quillmarsh-post.net",
    plantedAreaCode: "484",
    length: 64,
    rng: new Rng(1),
  };
  assert.throws(
    () => makeSplits({ ...base, size: 200, splitSize: 10 }),
    (e: Error) => e instanceof UsageError && /lower canarySize/.test(e.message),
  );
  assert.throws(
    () => makeSplits({ ...base, size: 5, splitSize: 200 }),
    (e: Error) => e instanceof UsageError && /lower splitSize/.test(e.message),
  );
  assert.equal(configSchema.safeParse({ width: 30, heads: 4 }).success, false);
  assert.equal(configSchema.safeParse({ layers: 1, k: 2 }).success, false);
  assert.equal(configSchema.safeParse({ methods: ["ga", "sgd"] }).success, false);
  assert.equal(configSchema.safeParse({}).success, true);
});

test("on the real corpus at 256 bytes: some documents are keyed on area codes, and those planted carry the unused one", () => {
  const messages = loadCorpus();
  const docs = buildDocs(messages, 256);
  const phones = docs.filter((d) => d.key?.kind === "phone");
  assert.ok(phones.length >= 10, `${phones.length} phone-keyed documents`);
  const scan = scanCorpus(messages);
  const code = unusedAreaCode(scan.frequencies);
  assert.equal(code, "484");
  for (const d of phones.slice(0, 5)) {
    const text = plant(d, code, 256);
    assert.equal(singlePii(text)?.value, "484", text);
  }
});
