// The training loops: split learning (clients run the layers before the
// split, the server the rest; client parts averaged every I rounds) with the
// lightweight scheme's pruning, gradient quantisation and split-layer
// dropout, and plain federated averaging of the whole model. Each round is
// priced by the cost model.
import type { Executor, Task } from "../../core/executor.js";
import { Rng } from "../../core/rng.js";
import {
  type ClientBackwardInput,
  type ClientForwardInput,
  type ClientForwardOutput,
  dropoutMask,
  type FedAvgInput,
} from "./clients.js";
import { type ClientRound, type CostConstants, channelGain, roundCost } from "./cost.js";
import {
  averageLayers,
  backward,
  cloneLayers,
  crossEntropy,
  effectiveWeights,
  forward,
  initLayers,
  type Layer,
  predict,
  sgdStep,
} from "./mlp.js";
import { keptWeights, layerMasks, trainingFlops } from "./prune.js";
import { quantizedBits, quantizeRows } from "./quantize.js";

const CLIENTS = new URL("./clients.ts", import.meta.url).href;

export type VariantName =
  | "full"
  | "no-pruning"
  | "no-quantisation"
  | "no-dropout"
  | "plain-fedsl"
  | "fedavg";

export interface Variant {
  variant: VariantName;
  /** Number of layers on the client (1 = split after the first hidden layer). */
  split: number;
  rho: number;
  bits: number;
  dropout: number;
  aggregateEvery: number;
}

export interface Setup {
  widths: number[];
  batchSize: number;
  rounds: number;
  learningRate: number;
  evalEvery: number;
  cost: CostConstants;
  seed: number;
}

export interface FedData {
  /** Training images as float64 rows and labels. */
  images: Float32Array;
  labels: Int32Array;
  features: number;
  /** Row indices held by each client. */
  parts: number[][];
  test: { images: Float32Array; labels: Int32Array; count: number };
}

export interface CurvePoint {
  round: number;
  accuracy: number;
  uplinkBits: number;
  latencySeconds: number;
  energyJoules: number;
}

export interface VariantResult {
  accuracy: number;
  uplinkBits: number;
  latencySeconds: number;
  energyJoules: number;
  curve: CurvePoint[];
  /** The final global model: the averaged client part, then the server part. */
  model: Layer[];
}

function rowsOf(data: FedData, rows: number[]): { x: Float64Array; labels: Int32Array } {
  const d = data.features;
  const x = new Float64Array(rows.length * d);
  rows.forEach((r, i) => {
    for (let j = 0; j < d; j++) x[i * d + j] = data.images[r * d + j];
  });
  return { x, labels: Int32Array.from(rows, (r) => data.labels[r]) };
}

/** Test accuracy of a split model: the (pruned) client part, then the server part. */
export function testAccuracy(client: Layer[], server: Layer[], rho: number, data: FedData): number {
  const { test } = data;
  const x = Float64Array.from(test.images);
  const masks = layerMasks(client, rho);
  const clientWeights = client.map((l, i) => effectiveWeights(l, masks?.[i]));
  const hidden = client.length ? forward(client, clientWeights, x, test.count, true).at(-1)! : x;
  const logits = forward(
    server,
    server.map((l) => l.w),
    hidden,
    test.count,
    false,
  ).at(-1)!;
  const predicted = predict(logits, test.count, server[server.length - 1].outputs);
  return predicted.reduce((n, p, i) => n + (p === test.labels[i] ? 1 : 0), 0) / test.count;
}

function modelBits(layers: Layer[], masks?: Uint8Array[]): number {
  // kept weights and all biases at 32 bits, plus a one-bit-per-weight mask when pruned
  return layers.reduce(
    (sum, l, i) => sum + 32 * (keptWeights(l, masks?.[i]) + l.outputs) + (masks ? l.w.length : 0),
    0,
  );
}

/** Trains one variant and returns its final accuracy, totals and accuracy curve. */
export async function runVariant(
  v: Variant,
  setup: Setup,
  data: FedData,
  executor: Executor,
  onPoint: (point: CurvePoint) => void,
  onRound: (round: number) => void,
): Promise<VariantResult> {
  const root = new Rng(setup.seed);
  const initial = initLayers(
    setup.widths,
    (() => {
      const r = root.fork("init");
      return () => r.normal();
    })(),
  );
  const fedavg = v.variant === "fedavg";
  const split = fedavg ? initial.length : v.split;
  let clients = data.parts.map(() => cloneLayers(initial.slice(0, split)));
  const server = cloneLayers(initial.slice(split));
  const sizes = data.parts.map((p) => p.length);
  const total = sizes.reduce((a, b) => a + b, 0);
  const weights = sizes.map((n) => n / total);
  const distanceRng = root.fork("distance");
  const distances = data.parts.map(
    () =>
      setup.cost.minDistanceM +
      (setup.cost.maxDistanceM - setup.cost.minDistanceM) * distanceRng.uniform(),
  );
  const totals = { uplinkBits: 0, latencySeconds: 0, energyJoules: 0 };
  const curve: CurvePoint[] = [];
  const b = setup.batchSize;
  let accuracy = 0;

  for (let round = 1; round <= setup.rounds; round++) {
    // the same batches and channels in every variant
    const batches = data.parts.map((part, k) => {
      const r = root.fork(`batch-${round}-${k}`);
      return rowsOf(
        data,
        Array.from({ length: b }, () => part[r.int(part.length)]),
      );
    });
    const gains = distances.map((d, k) =>
      channelGain(d, -Math.log(1 - root.fork(`fading-${round}-${k}`).uniform())),
    );
    const perClient: ClientRound[] = gains.map((gain) => ({
      flops: 0,
      uplinkBits: 0,
      downlinkBits: 0,
      gain,
    }));
    let serverFlops = 0;

    if (fedavg) {
      const tasks: Task<FedAvgInput>[] = clients.map((layers, k) => ({
        module: CLIENTS,
        fn: "fedAvgStep",
        input: {
          layers,
          x: batches[k].x,
          labels: batches[k].labels,
          rows: b,
          learningRate: setup.learningRate,
        },
      }));
      clients = await executor.map<FedAvgInput, Layer[]>(tasks);
      for (const k of perClient) k.flops = b * trainingFlops(clients[0]);
    } else {
      const dropoutSeeds = clients.map((_, k) => root.fork(`dropout-${round}-${k}`).nextU32());
      const forwardInputs: ClientForwardInput[] = clients.map((layers, k) => ({
        layers,
        rho: v.rho,
        x: batches[k].x,
        rows: b,
        dropout: v.dropout,
        dropoutSeed: dropoutSeeds[k],
      }));
      const outs = await executor.map<ClientForwardInput, ClientForwardOutput>(
        forwardInputs.map((input) => ({ module: CLIENTS, fn: "clientForward", input })),
      );

      // the server trains on each client's activations in turn
      const grads = outs.map((out, k) => {
        const activations = out.activations;
        const layerOuts = forward(
          server,
          server.map((l) => l.w),
          activations,
          b,
          false,
        );
        const classes = server[server.length - 1].outputs;
        const { grad } = crossEntropy(
          layerOuts[layerOuts.length - 1],
          batches[k].labels,
          b,
          classes,
        );
        const g = backward(
          server,
          server.map((l) => l.w),
          layerOuts,
          grad,
          b,
          false,
          true,
        );
        sgdStep(server, g, setup.learningRate);
        serverFlops += b * trainingFlops(server);
        const gradSplit = g.input as Float64Array;
        quantizeRows(gradSplit, b, v.bits, root.fork(`quantise-${round}-${k}`));

        // only surviving positions travel; both sides regenerate the mask from its seed
        const sent = dropoutMask(activations.length, v.dropout, dropoutSeeds[k]).reduce(
          (n, m) => n + m,
          0,
        );
        perClient[k].flops = b * trainingFlops(clients[k], out.masks);
        perClient[k].uplinkBits += sent * 32;
        perClient[k].downlinkBits += v.bits >= 32 ? sent * 32 : quantizedBits(b, sent / b, v.bits);
        return gradSplit;
      });

      const backInputs: ClientBackwardInput[] = forwardInputs.map((input, k) => ({
        ...input,
        masks: outs[k].masks,
        gradSplit: grads[k],
        learningRate: setup.learningRate,
      }));
      clients = await executor.map<ClientBackwardInput, Layer[]>(
        backInputs.map((input) => ({ module: CLIENTS, fn: "clientBackward", input })),
      );
    }

    const aggregate = round % v.aggregateEvery === 0 || round === setup.rounds;
    if (aggregate) {
      // each client sends its pruned model (kept weights, biases, mask); the server averages what it got
      const sent = clients.map((layers, k) => {
        const masks = fedavg ? undefined : layerMasks(layers, v.rho);
        perClient[k].uplinkBits += modelBits(layers, masks);
        perClient[k].downlinkBits += modelBits(layers);
        return layers.map((l, i) => ({ ...l, w: effectiveWeights(l, masks?.[i]) }));
      });
      const global = averageLayers(sent, weights);
      clients = clients.map(() => cloneLayers(global));
    }
    const cost = roundCost(perClient, serverFlops, setup.cost);
    totals.uplinkBits += cost.uplinkBits;
    totals.latencySeconds += cost.latencySeconds;
    totals.energyJoules += cost.energyJoules;

    if (aggregate && (round % setup.evalEvery === 0 || round === setup.rounds)) {
      accuracy = fedavg
        ? testAccuracy([], clients[0], 0, data)
        : testAccuracy(clients[0], server, v.rho, data);
      const point = { round, accuracy, ...totals };
      curve.push(point);
      onPoint(point);
    }
    onRound(round);
  }
  return { accuracy, ...totals, curve, model: fedavg ? clients[0] : [...clients[0], ...server] };
}
