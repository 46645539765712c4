import assert from "node:assert/strict";
import { test } from "node:test";
import { loadMnist } from "../../core/data/mnist.js";
import { UsageError } from "../../core/errors.js";
import { inProcessExecutor, workerExecutor } from "../../core/executor.js";
import { Rng } from "../../core/rng.js";
import { channelGain, compute, defaultCost, rate, roundCost } from "./cost.js";
import { dirichlet, gamma, partition } from "./data.js";
import { configSchema, study } from "./index.js";
import { backward, crossEntropy, effectiveWeights, forward, initLayers } from "./mlp.js";
import { forwardFlops, kthSmallest, magnitudeMask, trainingFlops } from "./prune.js";
import {
  levels,
  quantizationVariance,
  quantize,
  quantizedBits,
  varianceBound,
} from "./quantize.js";
import { type FedData, runVariant, type Setup, type Variant } from "./train.js";

const near = (a: number, b: number, rel: number, what: string) =>
  assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${what}: ${a} vs ${b}`);

test("MLP backward (masked weights, ReLU) matches central finite differences", () => {
  const rng = new Rng(1);
  const layers = initLayers([5, 4, 3], () => rng.normal());
  const masks = [magnitudeMask(layers[0].w, 0.3), magnitudeMask(layers[1].w, 0)];
  const x = rng.normals(2 * 5);
  const labels = [2, 0];
  const loss = () => {
    const w = layers.map((l, i) => effectiveWeights(l, masks[i]));
    return crossEntropy(forward(layers, w, x, 2, false)[2], labels, 2, 3).loss;
  };
  const w = layers.map((l, i) => effectiveWeights(l, masks[i]));
  const outs = forward(layers, w, x, 2, false);
  const g = backward(layers, w, outs, crossEntropy(outs[2], labels, 2, 3).grad, 2, false, true);
  const h = 1e-6;
  layers.forEach((layer, l) => {
    for (let i = 0; i < layer.w.length; i++) {
      if (!masks[l][i]) continue;
      const keep = layer.w[i];
      layer.w[i] = keep + h;
      const up = loss();
      layer.w[i] = keep - h;
      const down = loss();
      layer.w[i] = keep;
      assert.ok(Math.abs((up - down) / (2 * h) - g.w[l][i]) < 1e-7, `layer ${l} w[${i}]`);
    }
  });
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + h;
    const up = loss();
    x[i] = keep - h;
    const down = loss();
    x[i] = keep;
    assert.ok(Math.abs((up - down) / (2 * h) - (g.input as Float64Array)[i]) < 1e-7, `input ${i}`);
  }
});

test("quantiser: unbiased over many draws, variance equals its formula and obeys the QSGD bound", () => {
  const v = Float64Array.from([0.3, -1.2, 0.05, 2.0, -0.7, 0, 0.9, -0.01]);
  for (const bits of [2, 4, 8]) {
    const rng = new Rng(bits);
    const draws = 20000;
    const mean = new Float64Array(v.length);
    let sqErr = 0;
    for (let t = 0; t < draws; t++) {
      const q = quantize(Float64Array.from(v), bits, rng);
      for (let i = 0; i < v.length; i++) {
        mean[i] += q[i] / draws;
        sqErr += (q[i] - v[i]) ** 2 / draws;
      }
    }
    const exact = quantizationVariance(v, bits);
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    // each coordinate's error has standard deviation at most n / (2 s): 5 standard errors
    const tol = (5 * norm) / (2 * levels(bits)) / Math.sqrt(draws);
    v.forEach((x, i) => {
      assert.ok(Math.abs(mean[i] - x) <= tol, `bits ${bits} [${i}] ${mean[i]} vs ${x}`);
    });
    near(sqErr, exact, 0.05, `bits ${bits} variance`);
    assert.ok(
      exact <= varianceBound(v, bits),
      `bits ${bits}: ${exact} > bound ${varianceBound(v, bits)}`,
    );
  }
  // levels: 8 bits give 127 levels; 32 bits pass values through
  assert.equal(levels(8), 127);
  assert.deepEqual([...quantize(Float64Array.from(v), 32, new Rng(0))], [...v]);
  // 2 rows of 3 entries at 4 bits: 2 norms of 32 bits + 6 x 4 bits
  assert.equal(quantizedBits(2, 3, 4), 88);
});

test("pruning masks keep the largest (1 - rho) weights and FLOPs count the kept ones", () => {
  const w = Float64Array.from([0.1, -3, 2, -0.5, 0.5, 1]);
  assert.deepEqual([...magnitudeMask(w, 0.5)], [0, 1, 1, 0, 0, 1]);
  // ties at |0.5| keep the lower index
  assert.deepEqual([...magnitudeMask(w, 1 / 3)], [0, 1, 1, 1, 0, 1]);
  assert.deepEqual([...magnitudeMask(w, 0)], [1, 1, 1, 1, 1, 1]);
  const rng = new Rng(4);
  for (const n of [1, 2, 7, 1000]) {
    const values = Float64Array.from({ length: n }, () => Math.round(rng.normal() * 5) + 0);
    const sorted = Float64Array.from(values).sort();
    for (const k of [0, n >> 1, n - 1])
      assert.equal(kthSmallest(Float64Array.from(values), k), sorted[k]);
  }
  const big = rng.normals(5000);
  const kept = magnitudeMask(big, 0.7);
  const threshold = Math.min(...big.filter((_, i) => kept[i] === 1).map(Math.abs));
  assert.equal(
    kept.reduce((a, b) => a + b, 0),
    1500,
  );
  assert.ok(big.every((x, i) => kept[i] === 1 || Math.abs(x) <= threshold));
  const layers = initLayers([6, 4, 3], () => 1);
  layers[0].w.forEach((_, i) => {
    layers[0].w[i] = i + 1;
  });
  const masks = [magnitudeMask(layers[0].w, 0.75), magnitudeMask(layers[1].w, 0.5)];
  assert.equal(
    masks[0].reduce((a, b) => a + b, 0),
    6,
  );
  // forward: 2 x kept + biases = (2*6 + 4) + (2*6 + 3) = 31; dense: (48 + 4) + (24 + 3) = 79
  assert.equal(forwardFlops(layers, masks), 31);
  assert.equal(forwardFlops(layers), 79);
  assert.equal(trainingFlops(layers, masks), 93);
});

test("cost model: a hand-computed round", () => {
  // 100 m: path loss 128.1 - 37.6 = 90.5 dB
  near(channelGain(100, 1), 10 ** -9.05, 1e-12, "gain");
  // p g / (N0 B) = 0.2 * 1e-9 / (10^-20.4 * 1e6) = 0.2 * 10^5.4
  const snr = 0.2 * 10 ** 5.4;
  near(rate(1e6, 0.2, 1e-9, -174), 1e6 * Math.log2(1 + snr), 1e-12, "rate");
  // 8e9 FLOPs at 8 per cycle on 1 GHz: 1 s and 1e-28 * 1e9 * 1e18 = 0.1 J
  const cpu = compute(8e9, 1e9, defaultCost);
  near(cpu.seconds, 1, 1e-12, "time");
  near(cpu.joules, 0.1, 1e-12, "energy");
  const gain = 1e-9;
  const up = rate(1e6, 0.2, gain, -174);
  const down = rate(1e6, 1, gain, -174);
  const cost = roundCost(
    [
      { flops: 8e9, uplinkBits: 1e6, downlinkBits: 2e6, gain },
      { flops: 0, uplinkBits: 0, downlinkBits: 0, gain },
    ],
    1.6e11,
    defaultCost,
  );
  // slowest: 1 s + 1e6/up + 2e6/down; server: 1.6e11 / 8 / 2e10 = 1 s
  near(cost.latencySeconds, 1 + 1e6 / up + 2e6 / down + 1, 1e-12, "latency");
  near(cost.energyJoules, 0.1 + (0.2 * 1e6) / up, 1e-12, "energy");
  assert.equal(cost.uplinkBits, 1e6);
});

test("partitions: every sample once; Dirichlet shares have the right mean", () => {
  const labels = Int32Array.from({ length: 1000 }, (_, i) => i % 10);
  for (const scheme of ["iid", "dirichlet"] as const) {
    const parts = partition(labels, 7, scheme, 0.5, new Rng(3));
    const all = parts.flat().sort((a, b) => a - b);
    assert.deepEqual(
      all,
      Array.from({ length: 1000 }, (_, i) => i),
    );
    assert.ok(parts.every((p) => p.length > 0));
  }
  const rng = new Rng(9);
  let mean = 0;
  for (let t = 0; t < 20000; t++) mean += gamma(0.5, rng) / 20000;
  near(mean, 0.5, 0.03, "Gamma(0.5) mean");
  const share = dirichlet(0.5, 4, rng);
  near(
    share.reduce((a, b) => a + b, 0),
    1,
    1e-12,
    "shares sum",
  );
});

const mnist = loadMnist({ seed: 0, train: 300, test: 100 });
const tinyData = (clients: number): FedData => ({
  images: mnist.train.images,
  labels: mnist.train.labels,
  features: 784,
  parts: partition(mnist.train.labels, clients, "dirichlet", 0.5, new Rng(1)),
  test: mnist.test,
});
const setup: Setup = {
  widths: [784, 8, 6, 10],
  batchSize: 8,
  rounds: 4,
  learningRate: 0.1,
  evalEvery: 2,
  cost: defaultCost,
  seed: 5,
};
const full: Variant = {
  variant: "full",
  split: 1,
  rho: 0.5,
  bits: 4,
  dropout: 0.3,
  aggregateEvery: 2,
};

test("split learning without compression, on one client, trains exactly like SGD on the whole model", async () => {
  const noop = () => {};
  const plain = {
    ...full,
    variant: "plain-fedsl" as const,
    rho: 0,
    bits: 32,
    dropout: 0,
    aggregateEvery: 1,
  };
  const a = await runVariant(plain, setup, tinyData(1), inProcessExecutor(), noop, noop);
  const b = await runVariant(
    { ...plain, variant: "fedavg" },
    setup,
    tinyData(1),
    inProcessExecutor(),
    noop,
    noop,
  );
  assert.equal(a.model.length, 3);
  a.model.forEach((layer, l) => {
    layer.w.forEach((w, i) => {
      assert.ok(Math.abs(w - b.model[l].w[i]) <= 1e-12, `layer ${l} w[${i}]`);
    });
    layer.b.forEach((w, i) => {
      assert.ok(Math.abs(w - b.model[l].b[i]) <= 1e-12, `layer ${l} b[${i}]`);
    });
  });
  assert.deepEqual(
    a.curve.map((p) => p.accuracy),
    b.curve.map((p) => p.accuracy),
  );
  // compression cuts the bits sent up
  const c = await runVariant(full, setup, tinyData(1), inProcessExecutor(), noop, noop);
  assert.ok(c.uplinkBits < a.uplinkBits, `${c.uplinkBits} vs ${a.uplinkBits}`);
});

test("identical results in-process and on worker threads", async () => {
  const noop = () => {};
  const pool = workerExecutor(2);
  try {
    for (const v of [full, { ...full, variant: "fedavg" as const }]) {
      const inline = await runVariant(v, setup, tinyData(3), inProcessExecutor(), noop, noop);
      const threaded = await runVariant(v, setup, tinyData(3), pool, noop, noop);
      assert.deepEqual(threaded, inline);
    }
  } finally {
    await pool.close();
  }
});

test("a split that leaves the server no layer, or widths that do not fit MNIST, are usage errors", async () => {
  const ctx = {
    seed: 0,
    rng: new Rng(0),
    progress: () => {},
    metric: () => {},
    artifact: () => "",
    outDir: "",
  };
  const base = configSchema.parse(study.presets.quick);
  await assert.rejects(
    study.run({ ...base, split: 3 }, ctx),
    (e: Error) => e instanceof UsageError && /split below 3/.test(e.message),
  );
  await assert.rejects(study.run({ ...base, widths: [100, 10, 10] }, ctx), /start with 784/);
  assert.equal(configSchema.safeParse({ bits: 1 }).success, false);
  assert.equal(configSchema.safeParse({ dropout: 1 }).success, false);
});
