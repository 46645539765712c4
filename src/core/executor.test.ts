import assert from "node:assert/strict";
import { test } from "node:test";
import { createExecutor, inProcessExecutor, type Task, workerExecutor } from "./executor.js";

// A task module as a data: URL, so the test needs no fixture file.
const source = [
  "export function sumSquares({ values, scale }) {",
  "  let s = 0;",
  "  for (const v of values) s += v * v;",
  "  return { sum: s * scale, first: values[0] };",
  "}",
  "export function fail() { throw new Error('task failed on purpose'); }",
  "export function counted({ n }, report) { for (let i = 0; i < n; i++) report({ i }); return n; }",
].join("\n");
const moduleUrl = `data:text/javascript,${encodeURIComponent(source)}`;

function tasks(): Task<{ values: Float64Array; scale: number }>[] {
  return [1, 2, 3, 4, 5].map((k) => ({
    module: moduleUrl,
    fn: "sumSquares",
    input: { values: Float64Array.from([k, 0.1 * k, Math.PI / k]), scale: k },
  }));
}

test("in-process and worker executors give the same outputs in task order", async () => {
  const inline = await inProcessExecutor().map<unknown, { sum: number; first: number }>(tasks());
  const pool = workerExecutor(2);
  try {
    const heard: number[] = [];
    const threaded = await pool.map<unknown, { sum: number; first: number }>(tasks(), (i, out) => {
      assert.equal(out.first, i + 1);
      heard.push(i);
    });
    assert.deepEqual(threaded, inline);
    assert.deepEqual(
      heard.sort((a, b) => a - b),
      [0, 1, 2, 3, 4],
    );
    assert.equal(inline[2].first, 3);
    // 3 * (9 + 0.09 + pi^2 / 9)
    assert.ok(Math.abs(inline[2].sum - 3 * (9 + 0.09 + (Math.PI * Math.PI) / 9)) < 1e-12);
  } finally {
    await pool.close();
  }
});

test("a failing task rejects with its message on both executors", async () => {
  const bad: Task[] = [{ module: moduleUrl, fn: "fail", input: null }];
  await assert.rejects(inProcessExecutor().map(bad), /on purpose/);
  const pool = workerExecutor(1);
  try {
    await assert.rejects(pool.map(bad), /on purpose/);
    await assert.rejects(pool.map([{ module: moduleUrl, fn: "nothing", input: 1 }]), /no function/);
  } finally {
    await pool.close();
  }
});

test("createExecutor: 0 is in-process, negative or fractional counts are usage errors", async () => {
  assert.equal(createExecutor(0).kind, "in-process");
  assert.throws(() => createExecutor(-1), /whole number/);
  assert.throws(() => createExecutor(1.5), /whole number/);
});

test("progress a task reports reaches onProgress with the task's index, before its result", async () => {
  const counted = [3, 2].map((n) => ({ module: moduleUrl, fn: "counted", input: { n } }));
  const check = async (executor: ReturnType<typeof createExecutor>) => {
    const heard = new Map<number, number[]>();
    const finished = new Set<number>();
    const out = await executor.map<{ n: number }, number>(
      counted,
      (index) => finished.add(index),
      (index, update) => {
        assert.ok(!finished.has(index), "progress after the result");
        heard.set(index, [...(heard.get(index) ?? []), (update as { i: number }).i]);
      },
    );
    assert.deepEqual(out, [3, 2]);
    assert.deepEqual(heard.get(0), [0, 1, 2]);
    assert.deepEqual(heard.get(1), [0, 1]);
  };
  await check(inProcessExecutor());
  const pool = workerExecutor(2);
  try {
    await check(pool);
  } finally {
    await pool.close();
  }
});
