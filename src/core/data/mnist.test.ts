import assert from "node:assert/strict";
import { test } from "node:test";
import { loadMnist, loadMnistAll } from "./mnist.js";

test("MNIST package holds 10,000 digits with all ten classes", () => {
  const all = loadMnistAll();
  assert.ok(all.count >= 9900 && all.count <= 10100, `count ${all.count}`);
  const counts = new Array(10).fill(0);
  for (const label of all.labels) counts[label]++;
  for (const c of counts) assert.ok(c > 800, `class count ${c}`);
  let max = 0;
  for (const v of all.images) max = Math.max(max, v);
  assert.ok(max <= 1 && max > 0.9);
});

test("the split is deterministic for a seed and differs across seeds", () => {
  const a = loadMnist({ seed: 3, train: 500, test: 100 });
  const b = loadMnist({ seed: 3, train: 500, test: 100 });
  const c = loadMnist({ seed: 4, train: 500, test: 100 });
  assert.deepEqual(a.train.labels, b.train.labels);
  assert.deepEqual(a.test.images, b.test.images);
  assert.notDeepEqual(a.train.labels, c.train.labels);
  assert.equal(a.train.count, 500);
  assert.equal(a.test.images.length, 100 * 784);
});

test("train and test do not overlap", () => {
  const { train, test: held } = loadMnist({ seed: 1, train: 2000, test: 2000 });
  const key = (images: Float32Array, i: number) =>
    images.subarray(i * 784, (i + 1) * 784).join(",");
  const seen = new Set<string>();
  for (let i = 0; i < train.count; i++) seen.add(key(train.images, i));
  let shared = 0;
  for (let i = 0; i < held.count; i++) if (seen.has(key(held.images, i))) shared++;
  assert.ok(shared <= 2, `${shared} identical images in both`);
});

test("asking for more digits than exist is a clear error", () => {
  assert.throws(() => loadMnist({ train: 9000, test: 2000 }), /MNIST has \d+ digits/);
});
