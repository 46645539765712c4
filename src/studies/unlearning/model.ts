// A small decoder-only transformer over bytes (GPT-style: pre-norm blocks of
// causal self-attention and a GELU MLP, tied input and output embeddings).
import { type Array, f32, nn, np } from "../../core/engine.js";
import type { Rng } from "../../core/rng.js";

/** Byte values 0..255 plus a begin-of-text token. */
export const VOCAB = Number(process.env.V ?? 257);
export const BOS = 256;

export interface ModelShape {
  /** Tokens per sequence (the begin token plus `seqLen - 1` bytes). */
  seqLen: number;
  width: number;
  layers: number;
  heads: number;
}

export interface Block {
  ln1Gain: Array;
  ln1Bias: Array;
  qkv: Array;
  proj: Array;
  ln2Gain: Array;
  ln2Bias: Array;
  up: Array;
  upBias: Array;
  down: Array;
  downBias: Array;
}

export interface Params {
  tokens: Array;
  positions: Array;
  blocks: Block[];
  lnGain: Array;
  lnBias: Array;
}

/** A batch of sequences: inputs, next-token targets and a 0/1 loss mask, all [B, T]. */
export interface Batch {
  inputs: Array;
  targets: Array;
  mask: Array;
}

/** A float32 engine array from a typed array of any buffer kind. */
export function vector(values: Float32Array | Int32Array, dtype = np.float32): Array {
  return np.array(values as Float32Array<ArrayBuffer>, { dtype });
}

function normal(rng: Rng, shape: number[], scale: number): Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return f32(rng.normals(n, scale), shape);
}

/** Initialises one block (GPT-2 style: N(0, 0.02), output projections scaled by 1/sqrt(2L)). */
export function initBlock(shape: ModelShape, rng: Rng): Block {
  const d = shape.width;
  const residualScale = 0.02 / Math.sqrt(2 * shape.layers);
  return {
    ln1Gain: np.ones([d]),
    ln1Bias: np.zeros([d]),
    qkv: normal(rng, [d, 3 * d], 0.02),
    proj: normal(rng, [d, d], residualScale),
    ln2Gain: np.ones([d]),
    ln2Bias: np.zeros([d]),
    up: normal(rng, [d, 4 * d], 0.02),
    upBias: np.zeros([4 * d]),
    down: normal(rng, [4 * d, d], residualScale),
    downBias: np.zeros([d]),
  };
}

/** Fresh parameters for a model of the given shape. */
export function initParams(shape: ModelShape, rng: Rng): Params {
  if (shape.width % shape.heads !== 0) {
    throw new Error(`width ${shape.width} is not a multiple of heads ${shape.heads}`);
  }
  const blocks: Block[] = [];
  for (let i = 0; i < shape.layers; i++) blocks.push(initBlock(shape, rng.fork(`block${i}`)));
  return {
    tokens: normal(rng.fork("tokens"), [VOCAB, shape.width], 0.02),
    positions: normal(rng.fork("positions"), [shape.seqLen, shape.width], 0.01),
    blocks,
    lnGain: np.ones([shape.width]),
    lnBias: np.zeros([shape.width]),
  };
}

/** Where each parameter lives in the flat vector. */
export interface Layout {
  shape: ModelShape;
  entries: { path: string; offset: number; dims: number[] }[];
  size: number;
}

function leafPaths(params: Params): [string, Array][] {
  const out: [string, Array][] = [
    ["tokens", params.tokens],
    ["positions", params.positions],
    ["lnGain", params.lnGain],
    ["lnBias", params.lnBias],
  ];
  params.blocks.forEach((b, i) => {
    for (const [k, v] of Object.entries(b)) out.push([`blocks.${i}.${k}`, v]);
  });
  return out;
}

/**
 * Initial parameters as one flat float32 vector with its layout. Training on
 * a flat vector keeps the optimiser to a handful of array operations a step,
 * which matters on the wasm engine where each eager operation has a fixed cost.
 */
export function initFlat(shape: ModelShape, rng: Rng): { theta: Float32Array; layout: Layout } {
  const params = initParams(shape, rng);
  const entries: Layout["entries"] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [path, leaf] of leafPaths(params)) {
    entries.push({ path, offset, dims: leaf.shape });
    offset += leaf.size;
    chunks.push(leaf.dataSync() as Float32Array);
  }
  const theta = new Float32Array(offset);
  for (let i = 0; i < chunks.length; i++) theta.set(chunks[i], entries[i].offset);
  return { theta, layout: { shape, entries, size: offset } };
}

/** Rebuilds the parameter tree from a flat vector (consumed) inside or outside jit. */
export function unflatten(theta: Array, layout: Layout): Params {
  const get = (path: string): Array => {
    const e = layout.entries.find((x) => x.path === path);
    if (!e) throw new Error(`no parameter ${path}`);
    const n = e.dims.reduce((a, b) => a * b, 1);
    return theta.ref.slice([e.offset, e.offset + n]).reshape(e.dims);
  };
  const blocks: Block[] = [];
  for (let i = 0; i < layout.shape.layers; i++) {
    blocks.push({
      ln1Gain: get(`blocks.${i}.ln1Gain`),
      ln1Bias: get(`blocks.${i}.ln1Bias`),
      qkv: get(`blocks.${i}.qkv`),
      proj: get(`blocks.${i}.proj`),
      ln2Gain: get(`blocks.${i}.ln2Gain`),
      ln2Bias: get(`blocks.${i}.ln2Bias`),
      up: get(`blocks.${i}.up`),
      upBias: get(`blocks.${i}.upBias`),
      down: get(`blocks.${i}.down`),
      downBias: get(`blocks.${i}.downBias`),
    });
  }
  const params = {
    tokens: get("tokens"),
    positions: get("positions"),
    blocks,
    lnGain: get("lnGain"),
    lnBias: get("lnBias"),
  };
  theta.dispose();
  return params;
}

/** Concatenates a parameter tree (consumed) in layout order into one flat vector. */
export function flatten(params: Params): Array {
  return np.concatenate(leafPaths(params).map(([, leaf]) => leaf.ravel()));
}

/** The [start, end) range of the flat vector holding blocks from..layers-1. */
export function blockRange(layout: Layout, from: number): [number, number] {
  const inBlocks = layout.entries.filter((e) => {
    const m = /^blocks\.(\d+)\./.exec(e.path);
    return m !== null && Number(m[1]) >= from;
  });
  const start = Math.min(...inBlocks.map((e) => e.offset));
  const end = Math.max(...inBlocks.map((e) => e.offset + e.dims.reduce((a, b) => a * b, 1)));
  return [start, end];
}

/** Number of scalar parameters. */
export function countParams(params: Params): number {
  const sizes = [params.tokens, params.positions, params.lnGain, params.lnBias].map((a) => a.size);
  for (const b of params.blocks) for (const a of Object.values(b)) sizes.push(a.size);
  return sizes.reduce((a, b) => a + b, 0);
}

function layerNorm(x: Array, gain: Array, bias: Array): Array {
  return nn.standardize(x, -1, { epsilon: 1e-5 }).mul(gain).add(bias);
}

/** [T, T] additive mask: 0 where a query may attend (key <= query), -1e9 elsewhere. */
function causalBias(t: number): Array {
  const bias = new Float32Array(t * t);
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) bias[i * t + j] = -1e9;
  return f32(bias, [t, t]);
}

function block(x: Array, p: Block, heads: number): Array {
  const [b, t, d] = x.shape;
  const h = layerNorm(x.ref, p.ln1Gain, p.ln1Bias);
  const qkv = np.matmul(h, p.qkv).reshape([b, t, 3, heads, d / heads]);
  // [B, T, 3, H, D/H] -> three [B, H, T, D/H]
  const [q, k, v] = np
    .split(qkv, 3, 2)
    .map((a) => a.reshape([b, t, heads, d / heads]).transpose([0, 2, 1, 3]));
  const scores = np.matmul(q, k.transpose([0, 1, 3, 2])).mul(1 / Math.sqrt(d / heads));
  const weights = nn.softmax(scores.add(causalBias(t)), -1);
  const attended = np.matmul(weights, v).transpose([0, 2, 1, 3]).reshape([b, t, d]);
  const x1 = x.add(np.matmul(attended, p.proj));

  const h2 = layerNorm(x1.ref, p.ln2Gain, p.ln2Bias);
  const hidden = nn.gelu(np.matmul(h2, p.up).add(p.upBias));
  return x1.add(np.matmul(hidden, p.down).add(p.downBias));
}

/** Next-token log-probabilities [B, T, VOCAB] for integer inputs [B, T]. */
export function logProbs(params: Params, inputs: Array, heads: number): Array {
  const t = inputs.shape[1];
  // One-hot times the table keeps the embedding lookup a matmul, which the
  // engine differentiates and fuses well.
  const embedded = np.matmul(nn.oneHot(inputs, VOCAB), params.tokens.ref);
  let x = embedded.add(params.positions.slice([0, t]));
  for (const b of params.blocks) x = block(x, b, heads);
  x = layerNorm(x, params.lnGain, params.lnBias);
  const logits = np.matmul(x, params.tokens.transpose());
  return nn.logSoftmax(logits, -1);
}

/** Log-probability of each target token, [B, T]. */
export function tokenLogProbs(params: Params, inputs: Array, targets: Array, heads: number): Array {
  const lp = logProbs(params, inputs, heads);
  return lp.mul(nn.oneHot(targets, VOCAB)).sum(-1);
}

/** Mean negative log-likelihood over the tokens where mask is 1. */
export function meanNll(params: Params, batch: Batch, heads: number): Array {
  const lp = tokenLogProbs(params, batch.inputs, batch.targets, heads);
  const count = batch.mask.ref.sum();
  return lp.mul(batch.mask).sum().neg().div(count);
}

/** Per-sequence mean negative log-likelihood over masked tokens, [B]. */
export function sequenceNll(params: Params, batch: Batch, heads: number): Array {
  const lp = tokenLogProbs(params, batch.inputs, batch.targets, heads);
  const count = batch.mask.ref.sum(-1);
  return lp.mul(batch.mask).sum(-1).neg().div(count);
}
