// What a client computes in split learning and in federated averaging.
// These functions are executor tasks: structured-cloneable inputs and
// outputs, randomness only from seeds in the input.
import { Rng } from "../../core/rng.js";
import { backward, crossEntropy, effectiveWeights, forward, type Layer, sgdStep } from "./mlp.js";
import { layerMasks } from "./prune.js";

/**
 * The split-layer dropout mask: each activation is kept with probability
 * 1 - p, drawn from `seed`, so client and server regenerate the same mask
 * and its positions need not be sent.
 */
export function dropoutMask(size: number, p: number, seed: number): Uint8Array {
  const mask = new Uint8Array(size).fill(1);
  if (p <= 0) return mask;
  const rng = new Rng(seed);
  for (let i = 0; i < size; i++) mask[i] = rng.uniform() < p ? 0 : 1;
  return mask;
}

export interface ClientForwardInput {
  layers: Layer[];
  /** Pruning fraction: the mask keeps the largest (1 - rho) of each layer's weights. */
  rho: number;
  x: Float64Array;
  rows: number;
  dropout: number;
  dropoutSeed: number;
}

export interface ClientForwardOutput {
  /** Split-layer activations after dropout; survivors are scaled by 1 / (1 - p) (inverted dropout). */
  activations: Float64Array;
  masks: Uint8Array[] | undefined;
}

/** The client's forward pass through its pruned layers, with split-layer dropout. */
export function clientForward(input: ClientForwardInput): ClientForwardOutput {
  const masks = layerMasks(input.layers, input.rho);
  const weights = input.layers.map((l, i) => effectiveWeights(l, masks?.[i]));
  const outs = forward(input.layers, weights, input.x, input.rows, true);
  const activations = outs[outs.length - 1];
  const keep = dropoutMask(activations.length, input.dropout, input.dropoutSeed);
  const scale = 1 / (1 - input.dropout);
  for (let i = 0; i < activations.length; i++)
    activations[i] = keep[i] ? activations[i] * scale : 0;
  return { activations, masks };
}

export interface ClientBackwardInput extends ClientForwardInput {
  masks: Uint8Array[] | undefined;
  /** The (quantised) gradient of the loss with respect to the dropped-out activations. */
  gradSplit: Float64Array;
  learningRate: number;
}

/**
 * Backpropagates the server's gradient through dropout and the pruned
 * layers, and applies the SGD step to the dense weights (gradients are taken
 * with respect to the masked weights and added to the dense copy).
 */
export function clientBackward(input: ClientBackwardInput): Layer[] {
  const weights = input.layers.map((l, i) => effectiveWeights(l, input.masks?.[i]));
  const outs = forward(input.layers, weights, input.x, input.rows, true);
  const keep = dropoutMask(input.gradSplit.length, input.dropout, input.dropoutSeed);
  const scale = 1 / (1 - input.dropout);
  const grad = input.gradSplit.map((g, i) => (keep[i] ? g * scale : 0));
  const grads = backward(input.layers, weights, outs, grad, input.rows, true, false);
  sgdStep(input.layers, grads, input.learningRate);
  return input.layers;
}

export interface FedAvgInput {
  layers: Layer[];
  x: Float64Array;
  labels: Int32Array;
  rows: number;
  learningRate: number;
}

/** One local SGD step of the whole model on the client's batch (federated averaging). */
export function fedAvgStep(input: FedAvgInput): Layer[] {
  const weights = input.layers.map((l) => l.w);
  const outs = forward(input.layers, weights, input.x, input.rows, false);
  const classes = input.layers[input.layers.length - 1].outputs;
  const { grad } = crossEntropy(outs[outs.length - 1], input.labels, input.rows, classes);
  sgdStep(
    input.layers,
    backward(input.layers, weights, outs, grad, input.rows, false, false),
    input.learningRate,
  );
  return input.layers;
}
