// The array engine: @jax-js/jax on its wasm backend, initialised once for the
// whole process. Every module that computes with arrays imports from here.
import "./float16-polyfill.js";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as jax from "@jax-js/jax";

await jax.init("wasm");
jax.defaultDevice("wasm");

export { jax };
export const np = jax.numpy;
export const {
  grad,
  valueAndGrad,
  jvp,
  vjp,
  vmap,
  jit,
  hessian,
  jacfwd,
  jacrev,
  linearize,
  lax,
  nn,
  random,
  tree,
} = jax;
export type Array = jax.Array;
export type DType = jax.DType;

/** Version of the installed engine package, recorded in every run's config. */
export const engineVersion: string = (() => {
  const entry = createRequire(import.meta.url).resolve("@jax-js/jax");
  const manifest = join(dirname(entry), "..", "package.json");
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
})();

/** Copies an array's values out as a Float64Array (consuming the array). */
export function toFloat64(x: jax.Array): Float64Array {
  const data = x.dataSync();
  return data instanceof Float64Array ? data : Float64Array.from(data as ArrayLike<number>);
}

/** Reads a scalar array as a number (consuming the array). */
export function toNumber(x: jax.Array): number {
  const data = x.dataSync();
  return Number(data[0]);
}

/** Builds a float64 array of the given shape from plain numbers. */
export function f64(data: ArrayLike<number>, shape?: number[]): jax.Array {
  const buffer = Float64Array.from(data as ArrayLike<number>);
  const array = np.array(buffer, { dtype: np.float64 });
  return shape ? array.reshape(shape) : array;
}

/** Builds a float32 array of the given shape from plain numbers. */
export function f32(data: ArrayLike<number>, shape?: number[]): jax.Array {
  const buffer = Float32Array.from(data as ArrayLike<number>);
  const array = np.array(buffer);
  return shape ? array.reshape(shape) : array;
}
