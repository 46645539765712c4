// The model file: several trained networks (for instance one per scale and
// the ablations) in one binary file, described in data/omnisr/README.md:
//   "OMNISR01" | uint32 LE header length | JSON header (space-padded to a
//   multiple of 4 bytes) | float32 LE tensor data.
import { readFileSync } from "node:fs";
import { type Array, np } from "../../core/engine.js";
import { UsageError } from "../../core/errors.js";
import type { Architecture, Block, Params } from "./model.js";

const MAGIC = "OMNISR01";

/** One network in a model file. */
export interface StoredModel {
  /** A label such as "unfolded-x4" or "no-latitude-x4". */
  name: string;
  arch: Architecture;
  /** Training steps and final loss, for the record. */
  trainSteps: number;
  finalLoss: number;
  params: Params;
}

interface TensorEntry {
  path: string;
  shape: number[];
  offset: number;
}

interface Header {
  format: "omnisr-model";
  version: 1;
  models: {
    name: string;
    arch: Architecture;
    trainSteps: number;
    finalLoss: number;
    tensors: TensorEntry[];
  }[];
}

const BLOCK_KEYS = ["w1", "b1", "w2", "b2"] as const;

function namedTensors(params: Params): [string, Array][] {
  const out: [string, Array][] = [];
  const addBlock = (prefix: string, b: Block) => {
    for (const key of BLOCK_KEYS) out.push([`${prefix}.${key}`, b[key]]);
  };
  if (params.align) addBlock("align", params.align);
  if (params.steps) out.push(["steps", params.steps]);
  params.priors.forEach((b, k) => {
    addBlock(`priors.${k}`, b);
  });
  addBlock("decoder", params.decoder);
  return out;
}

/** Serialises networks to the model-file bytes (only reads the params). */
export function encodeModels(models: StoredModel[]): Uint8Array {
  const chunks: Float32Array[] = [];
  let offset = 0;
  const header: Header = { format: "omnisr-model", version: 1, models: [] };
  for (const model of models) {
    const tensors: TensorEntry[] = [];
    for (const [path, array] of namedTensors(model.params)) {
      const data = Float32Array.from(array.ref.dataSync() as ArrayLike<number>);
      tensors.push({ path, shape: array.shape, offset });
      chunks.push(data);
      offset += data.length;
    }
    const { name, arch, trainSteps, finalLoss } = model;
    header.models.push({ name, arch, trainSteps, finalLoss, tensors });
  }
  let json = JSON.stringify(header);
  while ((12 + Buffer.byteLength(json)) % 4 !== 0) json += " ";
  const jsonBytes = Buffer.from(json, "utf8");
  const out = new Uint8Array(12 + jsonBytes.length + offset * 4);
  out.set(Buffer.from(MAGIC, "ascii"), 0);
  new DataView(out.buffer).setUint32(8, jsonBytes.length, true);
  out.set(jsonBytes, 12);
  const floats = new DataView(out.buffer, 12 + jsonBytes.length);
  let i = 0;
  for (const chunk of chunks) for (const v of chunk) floats.setFloat32(4 * i++, v, true);
  return out;
}

/** Parses model-file bytes; `source` names the file in error messages. */
export function decodeModels(bytes: Uint8Array, source: string): StoredModel[] {
  const bad = (why: string) =>
    new UsageError(
      `${source} is not an omnisr model file (${why}); pass a file saved by 'descent run omnisr'`,
    );
  if (bytes.length < 12 || Buffer.from(bytes.subarray(0, 8)).toString("ascii") !== MAGIC) {
    throw bad("missing OMNISR01 magic");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(8, true);
  if (12 + length > bytes.length) throw bad("truncated header");
  let header: Header;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(12, 12 + length)).toString("utf8"));
  } catch {
    throw bad("unreadable JSON header");
  }
  if (header.format !== "omnisr-model" || header.version !== 1)
    throw bad("unknown format or version");
  const base = 12 + length;
  const read = (t: TensorEntry): Array => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (base + 4 * (t.offset + n) > bytes.length) throw bad(`tensor ${t.path} runs past the end`);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = view.getFloat32(base + 4 * (t.offset + i), true);
    return np.array(data).reshape(t.shape);
  };
  return header.models.map((m) => {
    const byPath = new Map(m.tensors.map((t) => [t.path, t]));
    const get = (path: string) => {
      const t = byPath.get(path);
      if (!t) throw bad(`model ${m.name} lacks tensor ${path}`);
      return read(t);
    };
    const block = (prefix: string): Block => ({
      w1: get(`${prefix}.w1`),
      b1: get(`${prefix}.b1`),
      w2: get(`${prefix}.w2`),
      b2: get(`${prefix}.b2`),
    });
    const params: Params = { priors: [], decoder: block("decoder") };
    if (m.arch.alignment) params.align = block("align");
    if (m.arch.stages > 0) params.steps = get("steps");
    for (let k = 0; k < m.arch.stages; k++) params.priors.push(block(`priors.${k}`));
    return { name: m.name, arch: m.arch, trainSteps: m.trainSteps, finalLoss: m.finalLoss, params };
  });
}

/** Reads a model file from disk. */
export function readModels(path: string): StoredModel[] {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new UsageError(`cannot read model file ${path}: ${(error as Error).message}`);
  }
  return decodeModels(bytes, path);
}
