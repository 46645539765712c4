// Node 20 has no Float16Array, which @jax-js/jax probes for; this module
// installs the @petamoriken/float16 implementation before the library loads.
import { Float16Array as Float16ArrayPolyfill } from "@petamoriken/float16";

const scope = globalThis as { Float16Array?: unknown };
if (scope.Float16Array === undefined) {
  scope.Float16Array = Float16ArrayPolyfill;
}
